/** HIPAA Breach Notification Rule: unsecured protected health information. */
import { type Regime, within } from './types.ts';

export const hipaa: Regime = {
  id: 'hipaa',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'HIPAA breach notification',
  law:
    '45 CFR 164.404 and 164.410 (HIPAA Breach Notification Rule, 74 FR 42740 of ' +
    '24 August 2009, as amended by 78 FR 5566 of 25 January 2013)',
  inForceFrom: '2009-09-23',
  zone: 'America/New_York',
  zoneFixed: false,
  moments: {
    aware:
      'discovery: the first day the breach is known, or would have been known with ' +
      'reasonable diligence (45 CFR 164.404(a)(2))',
  },
  filings: [
    {
      filing: 'individuals',
      from: 'covered entity',
      to: 'affected individuals',
      limits: within('aware', { kind: 'calendar-days', days: 60 }),
      source:
        '45 CFR 164.404(b): without unreasonable delay, at most 60 calendar days after discovery',
    },
    {
      filing: 'covered-entity',
      from: 'business associate',
      to: 'covered entity',
      limits: within('aware', { kind: 'calendar-days', days: 60 }),
      source:
        '45 CFR 164.410(b): without unreasonable delay, at most 60 calendar days after discovery',
    },
  ],
};
