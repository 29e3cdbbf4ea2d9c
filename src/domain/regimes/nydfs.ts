/** NYDFS 23 NYCRR 500.17: covered entities notify the Department of Financial Services. */
import { type Regime, within } from './types.ts';

export const nydfs: Regime = {
  id: 'nydfs',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'NYDFS cybersecurity incident notice',
  law: '23 NYCRR Part 500 (as amended 1 November 2023), section 500.17(a)(1)',
  inForceFrom: '2017-03-01',
  zone: 'America/New_York',
  zoneFixed: true,
  moments: {
    determined: 'the covered entity determines that a cybersecurity incident has occurred',
  },
  filings: [
    {
      filing: 'dfs',
      from: 'covered entity',
      to: 'Superintendent of the NY Department of Financial Services',
      limits: within('determined', { kind: 'hours', hours: 72 }),
      source:
        '23 NYCRR 500.17(a)(1): as promptly as possible, at most 72 h after the determination',
    },
  ],
};
