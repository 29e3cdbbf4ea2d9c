/** DORA Art. 19 with its RTS: financial entities report major ICT-related incidents. */
import { type Regime, within } from './types.ts';

export const dora: Regime = {
  id: 'dora',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'DORA major ICT-related incident reporting',
  law:
    'Regulation (EU) 2022/2554 (DORA) of 14 December 2022, Art. 19(4); Commission ' +
    'Delegated Regulation (EU) 2025/301 of 23 October 2024, Art. 5',
  inForceFrom: '2025-01-17',
  zone: 'Europe/Brussels',
  zoneFixed: false,
  moments: {
    aware: 'the financial entity becomes aware of the ICT-related incident',
    classified: 'the incident is classified as major (Delegated Regulation (EU) 2024/1772)',
  },
  filings: [
    {
      filing: 'initial',
      from: 'financial entity',
      to: 'competent authority',
      // RTS Art. 5(1): both limits apply, so the filing is due at whichever comes first.
      limits: [
        { anchor: 'classified', window: { kind: 'hours', hours: 4 } },
        { anchor: 'aware', window: { kind: 'hours', hours: 24 } },
      ],
      source:
        'RTS (EU) 2025/301 Art. 5(1): within 4 h of classification as major, ' +
        'and at most 24 h after awareness',
    },
    {
      filing: 'intermediate',
      from: 'financial entity',
      to: 'competent authority',
      limits: within({ filing: 'initial' }, { kind: 'hours', hours: 72 }),
      source: 'RTS (EU) 2025/301 Art. 5(1): within 72 h of submitting the initial notification',
      // RTS Art. 5(1): updated intermediate reports follow as the situation changes; the
      // 72 h limit binds the first one only.
      updatable: true,
    },
    {
      filing: 'final',
      from: 'financial entity',
      to: 'competent authority',
      // Runs from the latest (updated) intermediate report: the calculator takes that one as
      // filings.intermediate; recorded obligations use the latest update (clocks.ts).
      limits: within({ filing: 'intermediate' }, { kind: 'months', months: 1 }),
      source:
        'RTS (EU) 2025/301 Art. 5(1): at most one month after the latest updated ' +
        'intermediate report',
    },
  ],
};
