/** SEC Form 8-K Item 1.05: a registrant discloses a material cybersecurity incident. */
import { type Regime, within } from './types.ts';

export const sec8k: Regime = {
  id: 'sec-8k',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'SEC Form 8-K Item 1.05 material cybersecurity incident',
  law:
    'Form 8-K Item 1.05 and General Instruction B.1, adopted by SEC Release 33-11216 of ' +
    '26 July 2023; filing date rules 17 CFR 232.11 and 232.13 (Regulation S-T)',
  inForceFrom: '2023-12-18',
  // EDGAR's business days and its 5:30 p.m. cut-off are in Eastern time.
  zone: 'America/New_York',
  zoneFixed: true,
  moments: {
    determined:
      'the registrant determines the incident is material, which Item 1.05 Instruction 1 ' +
      'requires without unreasonable delay after discovery',
  },
  filings: [
    {
      filing: 'form-8k',
      from: 'registrant',
      to: 'SEC (EDGAR, public)',
      // General Instruction B.1 counts business days after the event; an event on a weekend
      // or holiday starts the count on the next business day. 17 CFR 232.13(a)(2): a filing
      // started after 5:30 p.m. Eastern is filed as of the next business day, so 17:30 on the
      // fourth business day is the last instant still on time.
      limits: within('determined', {
        kind: 'business-days',
        days: 4,
        calendar: 'us-federal',
        cutoff: '17:30',
      }),
      source:
        'Form 8-K General Instruction B.1 and Item 1.05: four business days after the ' +
        'materiality determination; 17 CFR 232.13(a)(2): by 5:30 p.m. Eastern',
    },
  ],
};
