/** GDPR Art. 33(1): a controller notifies its supervisory authority within 72 hours. */
import { type Regime, within } from './types.ts';

export const gdpr331: Regime = {
  id: 'gdpr-33-1',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'GDPR controller to supervisory authority',
  law: 'Regulation (EU) 2016/679 (GDPR) of 27 April 2016, Art. 33(1)',
  inForceFrom: '2018-05-25',
  zone: 'Europe/Brussels',
  zoneFixed: false,
  moments: { aware: 'the controller becomes aware of the personal-data breach' },
  filings: [
    {
      filing: 'authority',
      from: 'controller',
      to: 'competent supervisory authority',
      // Art. 33(1): the clock starts at awareness, not at detection or declaration.
      limits: within('aware', { kind: 'hours', hours: 72 }),
      source: 'GDPR Art. 33(1): without undue delay, where feasible within 72 h of awareness',
      // Art. 33(1), last sentence: a notification made after 72 h carries the reasons.
      lateNeedsReasons: true,
      condition: 'unless the breach is unlikely to result in a risk to natural persons',
      decisionOptions: [
        {
          id: 'unlikely-to-result-in-risk',
          label: 'not required: the breach is unlikely to result in a risk to natural persons',
          source: 'GDPR Art. 33(1)',
        },
      ],
    },
  ],
};
