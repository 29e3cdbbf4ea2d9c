/** Brazil LGPD Art. 48 with ANPD Resolution 15/2024: controllers notify the ANPD. */
import { type Regime, within } from './types.ts';

export const lgpd: Regime = {
  id: 'lgpd',
  version: 1,
  reviewedOn: '2026-12-04',
  title: 'LGPD security incident communication to the ANPD',
  law:
    'Lei 13.709/2018 (LGPD) Art. 48; Resolução CD/ANPD nº 15 of 24 April 2024 ' +
    '(Regulamento de Comunicação de Incidente de Segurança), Art. 6',
  inForceFrom: '2024-04-26',
  // Federal administrative deadlines in Brazil run on Brasília time (America/Sao_Paulo).
  zone: 'America/Sao_Paulo',
  zoneFixed: true,
  moments: {
    aware: 'the controller learns that the security incident affected personal data',
  },
  filings: [
    {
      filing: 'anpd',
      from: 'controller',
      to: 'ANPD (Autoridade Nacional de Proteção de Dados)',
      limits: within('aware', { kind: 'business-days', days: 3, calendar: 'br-national' }),
      source: 'Res. CD/ANPD 15/2024 Art. 6: within three business days of that knowledge',
    },
  ],
};
