/**
 * The deadline calculator over HTTP: `GET /api/v1/clock/:regime?aware=…&zone=…` answers
 * what `breachdesk clock REGIME --json` prints. Any authenticated caller may ask; nothing is
 * read or stored.
 */
import { z } from 'zod';

import {
  computeFilings,
  MAX_CONTRACT_HOURS,
  parseFiledPairs,
} from '../../domain/clock-calculator.ts';
import { REGIME_IDS } from '../../domain/regimes/index.ts';
import { strictQuery, wholeNumber } from '../query.ts';
import type { BreachdeskApp } from '../server.ts';

const instant = z.string().max(64).optional();

// Strict: a misspelt key (`contracthours`) would otherwise be dropped and the deadline worked
// out as though it had not been given.
const query = strictQuery({
  aware: instant.describe('when the breach or incident became known (ISO 8601)'),
  classified: instant.describe('when it was classified as major (DORA)'),
  determined: instant.describe('when it was determined (SEC, NYDFS, US bank rule)'),
  zone: z.string().max(64).optional().describe('IANA zone of instants written without offset'),
  contractHours: wholeNumber(1, MAX_CONTRACT_HOURS)
    .optional()
    .describe('GDPR Art. 33(2) contract hours'),
  filed: z
    .union([z.string().max(200), z.array(z.string().max(200)).max(10)])
    .optional()
    .describe('a filing already made, as FILING=INSTANT (repeatable)'),
});

const filing = z.object({
  filing: z.string(),
  due: z.string().nullable(),
  dueDate: z.string().nullable(),
  anchor: z.string(),
  startsAt: z.string().nullable(),
  window: z.string(),
  from: z.string(),
  to: z.string(),
  source: z.string(),
  reason: z.string().optional(),
  projected: z.literal(true).optional(),
  lateNeedsReasons: z.literal(true).optional(),
  condition: z.string().optional(),
  decisionOptions: z
    .array(z.object({ id: z.string(), label: z.string(), source: z.string() }))
    .optional(),
  filedAt: z.string().optional(),
  late: z.boolean().optional(),
});

const result = z.object({
  regime: z.enum(REGIME_IDS),
  version: z.number(),
  zone: z.string(),
  filings: z.array(filing),
  ignored: z.array(z.string()).optional(),
});

export function registerClockRoutes(app: BreachdeskApp): void {
  app.get(
    '/api/v1/clock/:regime',
    {
      config: { action: 'clock.compute' },
      schema: {
        summary: "A regime's filing deadlines from the moments given (docs/regimes.md)",
        params: z.object({ regime: z.string().max(40) }),
        querystring: query,
        response: { 200: result },
      },
    },
    (request) => {
      const q = request.query;
      const filed = q.filed === undefined ? [] : [q.filed].flat();
      return computeFilings(
        request.params.regime,
        {
          aware: q.aware,
          classified: q.classified,
          determined: q.determined,
          filings: parseFiledPairs(filed),
        },
        {
          zone: q.zone,
          contractHours: q.contractHours,
        },
      );
    },
  );
}
