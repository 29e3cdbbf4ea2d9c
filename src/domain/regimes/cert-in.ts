/** India CERT-In Directions of 28 April 2022: report cyber incidents within six hours. */
import { type Regime, within } from './types.ts';

export const certIn: Regime = {
  id: 'cert-in',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'CERT-In cyber incident report',
  law:
    'CERT-In Directions No. 20(3)/2022-CERT-In of 28 April 2022 under section 70B(6) of the ' +
    'Information Technology Act, 2000, direction (ii)',
  inForceFrom: '2022-06-28',
  zone: 'Asia/Kolkata',
  zoneFixed: true,
  moments: { aware: 'the incident is noticed or brought to notice' },
  filings: [
    {
      filing: 'cert-in',
      from: 'service provider, intermediary, data centre, body corporate or government body',
      to: 'CERT-In',
      limits: within('aware', { kind: 'hours', hours: 6 }),
      source: 'CERT-In Directions (ii): within 6 h of noticing or being told of the incident',
    },
  ],
};
