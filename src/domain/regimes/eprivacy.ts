/** Commission Regulation 611/2013: telecom providers notify personal-data breaches. */
import { type Regime, within } from './types.ts';

export const eprivacy: Regime = {
  id: 'eprivacy',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'ePrivacy personal-data breach notification (electronic communications)',
  law:
    'Directive 2002/58/EC Art. 4(3); Commission Regulation (EU) No 611/2013 of 24 June 2013, ' +
    'Art. 2(2)',
  inForceFrom: '2013-08-25',
  zone: 'Europe/Brussels',
  zoneFixed: false,
  moments: {
    aware:
      'detection: the provider has enough awareness that a security incident compromised ' +
      'personal data (Reg. 611/2013 Art. 2(2))',
  },
  filings: [
    {
      filing: 'authority',
      from: 'provider of publicly available electronic communications services',
      to: 'competent national authority',
      limits: within('aware', { kind: 'hours', hours: 24 }),
      source: 'Reg. (EU) 611/2013 Art. 2(2): within 24 h of detection where feasible',
    },
  ],
};
