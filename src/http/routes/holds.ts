/**
 * Hold routes (DESIGN.md §1.6): request a hold on a notice, approve it in one's role, release
 * it, and list an investigation's holds. The rules (grounds, reason, review date, two
 * different approvers) live in src/notify/holds.ts, which names the bad field; the schemas
 * here only describe the shape for the OpenAPI document.
 */
import { z } from 'zod';
import { resolveInvestigationId } from '../../investigations/workflow.ts';
import {
  approveHold,
  HOLD_GROUNDS,
  HOLD_REASON_MAX,
  listHolds,
  releaseHold,
  requestHold,
} from '../../notify/holds.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const holdSchema = z.object({
  id: z.string(),
  noticeId: z.string(),
  investigationId: z.string(),
  tenantId: z.string(),
  ground: z.string(),
  reason: z.string(),
  reviewAt: z.string(),
  requestedBy: z.string(),
  createdAt: z.string(),
  legalApprover: z.string().nullable(),
  legalApprovedAt: z.string().nullable(),
  executiveApprover: z.string().nullable(),
  executiveApprovedAt: z.string().nullable(),
  releasedAt: z.string().nullable(),
  releasedBy: z.string().nullable(),
  releaseReason: z.string().nullable(),
  state: z.enum(['requested', 'partially_approved', 'effective', 'released']),
  reviewDue: z.boolean(),
});

// Fields are optional here so that a missing one reaches the domain check and gets its
// BD_HOLD_INVALID answer naming the field.
const requestBody = z.object({
  ground: z
    .string()
    .optional()
    .describe(`one of ${HOLD_GROUNDS.join(', ')}`),
  reason: z.string().optional().describe(`why, 1 to ${HOLD_REASON_MAX} characters`),
  reviewAt: z.string().optional().describe('ISO 8601 with offset, within 30 days'),
});
const releaseBody = z.object({ reason: z.string().optional().describe('why it is released') });

export function registerHoldRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.post(
    '/api/v1/notices/:noticeId/holds',
    {
      config: { action: 'hold.request' },
      schema: {
        summary: 'Request a hold on a notice (incident manager, legal or executive)',
        params: z.object({ noticeId: z.string().max(100) }),
        body: requestBody,
        response: { 201: holdSchema },
      },
    },
    async (request, reply) => {
      const hold = await requestHold(db, requireActor(request), request.params.noticeId, {
        ...request.body,
      });
      return reply.status(201).send(hold);
    },
  );

  app.post(
    '/api/v1/holds/:holdId/approve',
    {
      config: { action: ['hold.approve.legal', 'hold.approve.executive'] },
      schema: {
        summary: "Approve a hold in the caller's role (legal or executive incident manager)",
        params: z.object({ holdId: z.string().max(100) }),
        response: { 200: holdSchema },
      },
    },
    async (request) => approveHold(db, requireActor(request), request.params.holdId),
  );

  app.post(
    '/api/v1/holds/:holdId/release',
    {
      config: { action: 'hold.release' },
      schema: {
        summary: 'Release a hold with a reason; its notice is then delivered',
        params: z.object({ holdId: z.string().max(100) }),
        body: releaseBody,
        response: { 200: holdSchema },
      },
    },
    async (request) =>
      releaseHold(db, requireActor(request), request.params.holdId, { ...request.body }),
  );

  app.get(
    '/api/v1/investigations/:id/holds',
    {
      config: { action: 'hold.read' },
      schema: {
        summary: "The investigation's holds; reviewDue marks those past their review date",
        params: z.object({ id: z.string().max(100) }),
        response: { 200: z.array(holdSchema) },
      },
    },
    async (request) => listHolds(db, await resolveInvestigationId(db, request.params.id)),
  );
}
