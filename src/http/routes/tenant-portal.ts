/**
 * What a tenant's portal needs beyond the contact list (tenants.ts): test e-mails that
 * confirm a breach contact's address, the public confirmation of their one-time link, and
 * the notices sent to the tenant.
 */
import { z } from 'zod';
import { listTenantNotices } from '../../notify/tenant-notices.ts';
import {
  confirmContact,
  requestTestEmail,
  TestEmailLimited,
} from '../../tenants/contact-confirmations.ts';
import { strictQuery } from '../query.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const tenantParams = z.object({ tenantId: z.string().max(100) });

export function registerTenantPortalRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.post(
    '/api/v1/tenants/:tenantId/contacts/:contactId/test-email',
    {
      config: { action: 'breach_contacts.write' },
      schema: {
        summary:
          'Queue a test e-mail to a breach contact with a one-time link (24 h) that confirms ' +
          'the address; at most 5 per address and 20 per tenant per hour',
        params: tenantParams.extend({ contactId: z.string().max(100) }),
        response: {
          202: z.object({
            id: z.string(),
            contactId: z.string(),
            queuedAt: z.string(),
            expiresAt: z.string(),
          }),
        },
      },
    },
    async (request, reply) => {
      const { tenantId, contactId } = request.params;
      try {
        const queued = await requestTestEmail(db, requireActor(request), tenantId, contactId);
        return await reply.status(202).send(queued);
      } catch (err) {
        if (err instanceof TestEmailLimited) {
          void reply.header('retry-after', String(err.retryAfterSeconds));
        }
        throw err;
      }
    },
  );

  app.post(
    '/api/v1/contact-confirmations',
    {
      config: { action: 'contact.confirm', public: true },
      schema: {
        summary: "Confirm a breach contact's address with the token from its test e-mail",
        security: [],
        body: z.object({ token: z.string().max(200) }),
        response: { 200: z.object({ confirmedAt: z.string() }) },
      },
    },
    async (request) => confirmContact(db, request.body.token),
  );

  app.get(
    '/api/v1/tenants/:tenantId/notices',
    {
      config: { action: 'notice.read' },
      schema: {
        summary:
          'Notices sent to a tenant, newest first, with delivery state (tenant admins: ' +
          'approved notices to their own tenant while it is in scope)',
        params: tenantParams,
        querystring: strictQuery({}),
      },
    },
    async (request) => listTenantNotices(db, requireActor(request), request.params.tenantId),
  );
}
