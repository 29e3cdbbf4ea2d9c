/** GDPR Art. 34: a controller tells the data subjects when the breach puts them at high risk. */
import { type Regime, within } from './types.ts';

export const gdpr34: Regime = {
  id: 'gdpr-34',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'GDPR controller to data subjects',
  law: 'Regulation (EU) 2016/679 (GDPR) of 27 April 2016, Art. 34',
  inForceFrom: '2018-05-25',
  zone: 'Europe/Brussels',
  zoneFixed: false,
  moments: { aware: 'the controller becomes aware of the personal-data breach' },
  filings: [
    {
      filing: 'data-subjects',
      from: 'controller',
      to: 'affected data subjects',
      // Art. 34(1) sets no number of hours: the duty has no date and stays open until it is
      // met or one of the recorded decisions below closes it.
      limits: within('aware', { kind: 'undue-delay' }),
      source:
        'GDPR Art. 34(1): without undue delay when the breach is likely to result in high risk',
      condition: 'when the breach is likely to result in a high risk to the data subjects',
      decisionOptions: [
        {
          id: 'not-high-risk',
          label: 'not required: the breach is not likely to result in a high risk',
          source: 'GDPR Art. 34(1)',
        },
        {
          id: 'art-34-3-a-data-unintelligible',
          label:
            'not required: protection measures (such as encryption) applied to the affected ' +
            'data make it unintelligible to anyone not authorised to access it',
          source: 'GDPR Art. 34(3)(a)',
        },
        {
          id: 'art-34-3-b-risk-no-longer-likely',
          label:
            'not required: measures taken since the breach mean the high risk is no longer ' +
            'likely to materialise',
          source: 'GDPR Art. 34(3)(b)',
        },
        {
          id: 'art-34-3-c-disproportionate-effort',
          label:
            'individual notices not required: they would take disproportionate effort, so a ' +
            'public communication or similar measure informs the data subjects instead',
          source: 'GDPR Art. 34(3)(c)',
        },
      ],
    },
  ],
};
