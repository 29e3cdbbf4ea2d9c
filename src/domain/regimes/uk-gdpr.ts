/** UK GDPR Art. 33(1): a controller notifies the Information Commissioner within 72 hours. */
import { type Regime, within } from './types.ts';

export const ukGdpr: Regime = {
  id: 'uk-gdpr',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'UK GDPR controller to the ICO',
  law:
    'UK GDPR (Regulation (EU) 2016/679 as retained and amended by the Data Protection, ' +
    'Privacy and Electronic Communications (Amendments etc) (EU Exit) Regulations 2019), ' +
    'Art. 33(1)',
  inForceFrom: '2021-01-01',
  zone: 'Europe/London',
  zoneFixed: true,
  moments: { aware: 'the controller becomes aware of the personal-data breach' },
  filings: [
    {
      filing: 'ico',
      from: 'controller',
      to: "Information Commissioner's Office",
      limits: within('aware', { kind: 'hours', hours: 72 }),
      source: 'UK GDPR Art. 33(1): without undue delay, where feasible within 72 h of awareness',
      lateNeedsReasons: true,
      condition: 'unless the breach is unlikely to result in a risk to natural persons',
    },
  ],
};
