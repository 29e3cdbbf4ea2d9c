/**
 * API tokens, issued and revoked by administrators: one per person or machine, scoped to a
 * role (tenant admins to their tenant). The token is shown once, in the creating answer.
 */
import { z } from 'zod';
import { actorLabel } from '../../auth/actor.ts';
import { createToken, MAX_TOKEN_DAYS, revokeToken } from '../../auth/tokens.ts';
import { ROLES } from '../../domain/types.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

export function registerTokenRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.post(
    '/api/v1/tokens',
    {
      config: { action: 'tokens.manage' },
      schema: {
        summary:
          'Issue an API token (administrator; expires in 90 days unless expiresInDays says); ' +
          'the token is shown only in this answer',
        body: z.object({
          label: z
            .string()
            .trim()
            .min(1)
            .max(100)
            .regex(/^[\p{L}\p{N} ._@-]+$/u, 'letters, digits, spaces and . _ @ - only'),
          role: z.enum(ROLES),
          tenantId: z.string().max(100).nullable().optional(),
          expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional(),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const created = await createToken(db, { ...request.body, createdBy: actorLabel(actor) });
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api/v1/tokens/:tokenId',
    {
      config: { action: 'tokens.manage' },
      schema: {
        summary: 'Revoke an API token (administrator)',
        params: z.object({ tokenId: z.string().max(100) }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await revokeToken(db, request.params.tokenId, actorLabel(actor));
      return reply.status(204).send();
    },
  );
}
