/**
 * Reads for oversight in the console: the audit log a page at a time and the post-mortems an
 * auditor (or anyone allowed) may open; the response timings behind the dashboards. Reading a
 * post-mortem itself stays on the audited GET /api/v1/investigations/:id/postmortem.
 */
import { z } from 'zod';
import { auditPage } from '../../audit/entries.ts';
import { timingRange } from '../../domain/timings-range.ts';
import { listPostmortems } from '../../investigations/postmortem-list.ts';
import { timingReport } from '../../investigations/timings.ts';
import { strictQuery, wholeNumber } from '../query.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

export function registerOversightRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/audit/entries',
    {
      config: { action: 'audit.read' },
      schema: {
        summary: 'The audit log newest first, a page at a time (before: seq, limit <= 500)',
        querystring: strictQuery({
          before: wholeNumber(1, Number.MAX_SAFE_INTEGER)
            .optional()
            .describe('entries with a lower seq'),
          limit: wholeNumber(1, 500).optional().describe('default 50'),
        }),
      },
    },
    async (request) => {
      const { before, limit } = request.query;
      return auditPage(db, { before, limit: limit ?? 50 });
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
        querystring: strictQuery({ limit: wholeNumber(1, 1000).optional() }),
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
        querystring: strictQuery({
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
