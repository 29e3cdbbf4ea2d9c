import { z } from 'zod';
import { verifyAuditLog } from '../../audit/log.ts';
import { type BreachdeskApp, type RouteDeps } from '../server.ts';

export function registerAuditRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/audit/verify',
    {
      config: { action: 'audit.read' },
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
    async () => verifyAuditLog(db),
  );
}
