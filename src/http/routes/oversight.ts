/**
 * Reads for oversight in the console: the audit log a page at a time and the post-mortems an
 * auditor (or anyone allowed) may open; the response timings behind the dashboards. Reading a
 * post-mortem itself stays on the audited GET /api/v1/investigations/:id/postmortem.
 */
import { z } from 'zod';
import { auditPage } from '../../audit/entries.ts';
import { fail } from '../../domain/errors.ts';
import { timingRange } from '../../domain/timings-range.ts';
import { listPostmortems } from '../../investigations/postmortem-list.ts';
import { timingReport } from '../../investigations/timings.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const limit = (max: number) => z.coerce.number().int().min(1).max(max).optional();

const AUDIT_QUERY = { before: [1, Number.MAX_SAFE_INTEGER], limit: [1, 500] } as const;
type AuditQueryKey = keyof typeof AUDIT_QUERY;

/**
 * The audit page's query, as strict as the queue's: decimal digits within range only (Number()
 * would take 0x10, 1e3 or " 5"), and a key it does not know is refused rather than ignored.
 * BD_REQUEST_INVALID names the field.
 */
function readAuditQuery(query: Record<string, unknown>): Partial<Record<AuditQueryKey, number>> {
  const out: Partial<Record<AuditQueryKey, number>> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!Object.hasOwn(AUDIT_QUERY, key)) {
      fail('BD_REQUEST_INVALID', `query ${key}: is not a query field; give before, limit`, key);
    }

    const [min, max] = AUDIT_QUERY[key as AuditQueryKey];
    const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) {
      fail('BD_REQUEST_INVALID', `query ${key}: must be a whole number from ${min} to ${max}`, key);
    }
    out[key as AuditQueryKey] = n;
  }
  return out;
}

export function registerOversightRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/audit/entries',
    {
      config: { action: 'audit.read' },
      schema: {
        summary: 'The audit log newest first, a page at a time (before: seq, limit <= 500)',
        // Described here, read by readAuditQuery: unknown keys must reach it to be refused.
        querystring: z.looseObject({
          before: z.string().optional().describe('entries with a lower seq; digits only'),
          limit: z.string().optional().describe('1 to 500, default 50; digits only'),
        }),
      },
    },
    async (request) => {
      const { before, limit: n } = readAuditQuery(request.query);
      return auditPage(db, { before, limit: n ?? 50 });
    },
  );

  app.get(
    '/api/v1/postmortems',
    {
      config: { action: 'postmortem.read' },
      schema: {
        summary:
          'Written post-mortems the caller may read (its team only for team-bound roles): ' +
          'id, INV label, title, when written',
        querystring: z.object({ limit: limit(1000) }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return { postmortems: await listPostmortems(db, actor, request.query.limit ?? 200) };
    },
  );

  app.get(
    '/api/v1/metrics/timings',
    {
      config: { action: 'metrics.read' },
      schema: {
        summary:
          'Time to detect, assess, declare and notify (vs deadline) per source kind and UTC ' +
          'month of opening; counts by classification. from/to: month, day or instant',
        querystring: z.object({
          from: z.string().max(64).optional(),
          to: z.string().max(64).optional(),
        }),
      },
    },
    async (request) => {
      const now = new Date();
      return timingReport(db, timingRange(request.query, now), now);
    },
  );
}
