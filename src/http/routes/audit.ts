import { z } from 'zod';
import { verifyAuditLog } from '../../audit/log.ts';
import { fail } from '../../domain/errors.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const READERS = new Set(['admin', 'auditor', 'incident_manager', 'executive_incident_manager']);

export function registerAuditRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        summary: 'Re-check the whole audit hash chain',
        response: {
          200: z.object({
            ok: z.boolean(),
            entries: z.number(),
            head: z.string().optional(),
            brokenAt: z.number().optional(),
            reason: z.string().optional(),
          }),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      if (!READERS.has(actor.role))
        fail('BD_AUTH_FORBIDDEN', `role ${actor.role} may not read the audit log`);
      return verifyAuditLog(db);
    },
  );
}
