/** The US federal banking agencies' computer-security incident notification rule. */
import { type Regime, within } from './types.ts';

export const usBank: Regime = {
  id: 'us-bank',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'US banking organization incident notification',
  law:
    'Computer-Security Incident Notification Requirements, 86 FR 66424 of 23 November 2021: ' +
    '12 CFR 53.3 (OCC), 12 CFR 225.302 (Federal Reserve), 12 CFR 304.23 (FDIC)',
  inForceFrom: '2022-05-01',
  zone: 'America/New_York',
  zoneFixed: false,
  moments: {
    determined: 'the banking organization determines that a notification incident has occurred',
  },
  filings: [
    {
      filing: 'regulator',
      from: 'banking organization',
      to: 'primary federal regulator',
      limits: within('determined', { kind: 'hours', hours: 36 }),
      source:
        '12 CFR 53.3 / 225.302 / 304.23: as soon as possible, at most 36 h after the determination',
    },
  ],
};
