/** GDPR Art. 33(2): a processor tells each controller about a breach it becomes aware of. */
import { type Regime, within } from './types.ts';

/** Used when a tenant's contract names no number of hours. */
export const GDPR_PROCESSOR_DEFAULT_HOURS = 24;

export const gdpr332: Regime = {
  id: 'gdpr-33-2',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'GDPR processor to controller',
  law: 'Regulation (EU) 2016/679 (GDPR) of 27 April 2016, Art. 33(2)',
  inForceFrom: '2018-05-25',
  zone: 'Europe/Brussels',
  zoneFixed: false,
  moments: { aware: 'the processor becomes aware of the personal-data breach' },
  filings: [
    {
      filing: 'controller',
      from: 'processor (this deployment)',
      to: 'controller (the tenant)',
      // The article says "without undue delay"; data processing agreements usually turn
      // that into a number of hours, which is what the clock counts.
      limits: within('aware', {
        kind: 'contract-hours',
        defaultHours: GDPR_PROCESSOR_DEFAULT_HOURS,
      }),
      source: 'GDPR Art. 33(2): without undue delay after awareness; hours per the contract',
    },
  ],
};
