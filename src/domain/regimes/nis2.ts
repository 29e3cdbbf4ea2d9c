/** NIS2 Art. 23: essential and important entities report significant incidents in stages. */
import { type Regime, within } from './types.ts';

export const nis2: Regime = {
  id: 'nis2',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'NIS2 significant incident reporting',
  law: 'Directive (EU) 2022/2555 (NIS2) of 14 December 2022, Art. 23(4), as transposed',
  inForceFrom: '2024-10-18',
  zone: 'Europe/Brussels',
  zoneFixed: false,
  moments: { aware: 'the entity becomes aware of the significant incident' },
  filings: [
    {
      filing: 'early-warning',
      from: 'essential or important entity',
      to: 'CSIRT or competent authority',
      limits: within('aware', { kind: 'hours', hours: 24 }),
      source: 'NIS2 Art. 23(4)(a): early warning within 24 h of awareness',
    },
    {
      filing: 'notification',
      from: 'essential or important entity',
      to: 'CSIRT or competent authority',
      limits: within('aware', { kind: 'hours', hours: 72 }),
      source: 'NIS2 Art. 23(4)(b): incident notification within 72 h of awareness',
    },
    {
      filing: 'final-report',
      from: 'essential or important entity',
      to: 'CSIRT or competent authority',
      // Art. 23(4)(d) runs from the submission of the notification, not from awareness.
      limits: within({ filing: 'notification' }, { kind: 'months', months: 1 }),
      source: 'NIS2 Art. 23(4)(d): final report at most one month after the notification',
    },
  ],
};
