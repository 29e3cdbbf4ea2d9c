/**
 * Customer-facing summaries (docs/postmortems.md): written by the team or an incident manager,
 * approved by another incident manager, and only then usable in a follow-up notice. The rules
 * live in src/investigations/customer-summary.ts.
 */
import { z } from 'zod';
import {
  approveCustomerSummary,
  listCustomerSummaries,
  SUMMARY_MAX_LENGTH,
  writeCustomerSummary,
} from '../../investigations/customer-summary.ts';
import { resolveInvestigationId } from '../../investigations/workflow.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const idParams = z.object({ id: z.string().max(100) });

export function registerCustomerSummaryRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/investigations/:id/customer-summary',
    {
      config: { action: 'customer_summary.read' },
      schema: { summary: 'Every customer-facing summary, newest first', params: idParams },
    },
    async (request) =>
      listCustomerSummaries(db, await resolveInvestigationId(db, request.params.id)),
  );

  app.post(
    '/api/v1/investigations/:id/customer-summary',
    {
      config: { action: 'customer_summary.write' },
      schema: {
        summary: 'Write a new customer-facing summary (team or incident manager): { body }',
        params: idParams,
        // Optional so that a missing body gets the domain's BD_SUMMARY_INVALID naming it; loose
        // so that an unknown key reaches the strict domain check and is refused by name.
        body: z.looseObject({
          body: z.string().optional().describe(`1 to ${SUMMARY_MAX_LENGTH} characters, trimmed`),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const id = await resolveInvestigationId(db, request.params.id);
      return reply.status(201).send(await writeCustomerSummary(db, actor, id, request.body));
    },
  );

  app.post(
    '/api/v1/investigations/:id/customer-summary/:summaryId/approve',
    {
      config: { action: 'customer_summary.approve' },
      schema: {
        summary: 'Approve a customer-facing summary (an incident manager other than its writer)',
        params: z.object({ id: z.string().max(100), summaryId: z.string().max(100) }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const id = await resolveInvestigationId(db, request.params.id);
      return approveCustomerSummary(db, actor, id, request.params.summaryId);
    },
  );
}
