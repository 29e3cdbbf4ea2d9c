/**
 * Suppression rules and the false-positive figures they are tuned by. Bodies are checked by
 * the rules themselves (src/domain/suppression-rule.ts), which name the bad field.
 *
 * Roles (src/auth/policy.ts): incident managers, investigators and admins create rules;
 * responders may also revoke them (that only makes detection louder); the staff who read
 * investigations read them. Auditors, tenant users, the account team and reporter tokens do
 * none of this.
 */
import { z } from 'zod';

import { falsePositiveReport } from '../../investigations/false-positives.ts';
import {
  createSuppressionRule,
  getSuppressionRule,
  listSuppressionRules,
  revokeSuppressionRule,
} from '../../investigations/suppressions.ts';
import { strictQuery } from '../query.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const idParams = z.object({ id: z.string().max(100) });

export function registerSuppressionRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/suppression-rules',
    {
      config: { action: 'suppression.read' },
      schema: {
        summary: 'Suppression rules, newest first, with the signals each has muted',
        querystring: strictQuery({
          state: z.enum(['active', 'expired', 'revoked', 'all']).optional(),
          investigationId: z.string().max(100).optional(),
        }),
      },
    },
    async (request) => listSuppressionRules(db, request.query),
  );

  app.get(
    '/api/v1/suppression-rules/:id',
    {
      config: { action: 'suppression.read' },
      schema: { summary: 'One suppression rule', params: idParams },
    },
    async (request) => getSuppressionRule(db, request.params.id),
  );

  app.post(
    '/api/v1/suppression-rules',
    {
      config: { action: 'suppression.create' },
      schema: {
        summary: 'Create a rule: { match, reason, expiresAt (≤ 365 days), owner? }',
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request, reply) => {
      const rule = await createSuppressionRule(db, requireActor(request), request.body);
      return reply.status(201).send(rule);
    },
  );

  app.post(
    '/api/v1/suppression-rules/:id/revocation',
    {
      config: { action: 'suppression.revoke' },
      schema: {
        summary: 'Revoke an active rule at once: { reason? }',
        params: idParams,
        body: z.record(z.string(), z.unknown()).nullish(),
      },
    },
    async (request) =>
      revokeSuppressionRule(db, requireActor(request), request.params.id, request.body ?? {}),
  );

  app.get(
    '/api/v1/metrics/false-positives',
    {
      config: { action: 'metrics.read' },
      schema: {
        summary: 'False-positive rate per source kind; signals muted per suppression rule',
      },
    },
    async () => falsePositiveReport(db),
  );
}
