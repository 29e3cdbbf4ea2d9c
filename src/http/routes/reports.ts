/**
 * Reports by people (src/intake/reports.ts): internal reports, operator escalations and
 * red-team activity from staff; customer reports from a tenant's own users, whose tenant is
 * that of their token. A tenant user learns only that the report was received, never where
 * triage took it.
 */
import { z } from 'zod';

import { can } from '../../auth/policy.ts';
import { getReport, listMyReports } from '../../intake/report-views.ts';
import { submitReport } from '../../intake/reports.ts';
import { strictQuery, wholeNumber } from '../query.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

export function registerReportRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.post(
    '/api/v1/reports',
    {
      config: { action: ['report.submit', 'report.customer.submit'] },
      schema: {
        summary:
          'File a report: { title, description?, occurredAt? (default now), host?, ' +
          'principal?, severity?, kind? (staff: internal_report, operator_escalation, ' +
          'red_team with exerciseId) }',
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const receipt = await submitReport(db, actor, request.body);

      // A tenant user learns that its report arrived, not where triage took it.
      if (can(actor, 'report.customer.submit')) {
        return reply.status(201).send(await getReport(db, actor, receipt.id));
      }
      return reply.status(201).send({ ...(await getReport(db, actor, receipt.id)), ...receipt });
    },
  );

  app.get(
    '/api/v1/reports/mine',
    {
      config: { action: 'report.read' },
      schema: {
        summary: "Reports of the caller's tenant (tenant users) or filed by the caller",
        querystring: strictQuery({ limit: wholeNumber(1, 500).optional() }),
      },
    },
    async (request) => listMyReports(db, requireActor(request), request.query.limit),
  );

  app.get(
    '/api/v1/reports/:id',
    {
      config: { action: 'report.read' },
      schema: { summary: 'One report', params: z.object({ id: z.string().max(100) }) },
    },
    async (request) => getReport(db, requireActor(request), request.params.id),
  );
}
