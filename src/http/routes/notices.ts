import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { approveNotice } from '../../notify/approve.ts';
import { draftAuthorityNotice, withdrawAuthorityDraft } from '../../notify/authority-notice.ts';
import { resendNotice } from '../../notify/recipients.ts';
import { fail } from '../../domain/errors.ts';
import { notices } from '../../store/schema.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const STAFF = new Set([
  'auditor',
  'admin',
  'responder',
  'investigator',
  'incident_manager',
  'executive_incident_manager',
  'legal',
]);

export function registerNoticeRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/notices/:noticeId',
    {
      schema: {
        summary: 'One notice with its rendered text',
        params: z.object({ noticeId: z.string().max(100) }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const [n] = await db.select().from(notices).where(eq(notices.id, request.params.noticeId));
      // A tenant admin sees only approved notices addressed to its own tenant.
      const visible =
        n !== undefined &&
        (STAFF.has(actor.role) ||
          (actor.role === 'tenant_admin' &&
            actor.tenantId === n.tenantId &&
            n.audience === 'tenant' &&
            n.status !== 'draft'));
      if (!n || !visible)
        fail('BD_NOT_FOUND', `notice ${request.params.noticeId} not found`, 'noticeId');

      return {
        id: n.id,
        investigationId: n.investigationId,
        tenantId: n.tenantId,
        audience: n.audience,
        status: n.status,
        subject: n.subject,
        body: n.body,
        bodySha256: n.bodySha256,
      };
    },
  );

  app.post(
    '/api/v1/obligations/:obligationId/authority-notice',
    {
      schema: {
        summary:
          'Draft the notice to the supervisory authority for an obligation (gdpr-33-1): ' +
          '{ recipientName, recipientEmail, tenantId?, language?, delayReasons?, what? }',
        params: z.object({ obligationId: z.string().max(100) }),
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const n = await draftAuthorityNotice(db, actor, request.params.obligationId, request.body);
      return {
        id: n.id,
        investigationId: n.investigationId,
        tenantId: n.tenantId,
        audience: n.audience,
        status: n.status,
        subject: n.subject,
        bodySha256: n.bodySha256,
        addressee: (n.facts as { addressee?: unknown }).addressee,
      };
    },
  );

  app.post(
    '/api/v1/notices/:noticeId/withdraw',
    {
      schema: {
        summary: 'Withdraw a draft authority notice that will not be sent: { reason }',
        params: z.object({ noticeId: z.string().max(100) }),
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request) => {
      await withdrawAuthorityDraft(
        db,
        requireActor(request),
        request.params.noticeId,
        request.body,
      );
      return { withdrawn: true };
    },
  );

  app.post(
    '/api/v1/notices/:noticeId/approve',
    {
      schema: {
        summary: 'Approve a draft notice and queue its delivery (incident manager)',
        params: z.object({ noticeId: z.string().max(100) }),
        response: { 200: z.object({ queued: z.number() }) },
      },
    },
    async (request) => ({
      queued: await approveNotice(db, requireActor(request), request.params.noticeId),
    }),
  );

  app.post(
    '/api/v1/notices/:noticeId/resend',
    {
      schema: {
        summary:
          'Send an approved notice to its current recipients that have no message of it ' +
          'yet, e.g. a contact added after every other one failed (incident manager)',
        params: z.object({ noticeId: z.string().max(100) }),
        response: { 200: z.object({ queued: z.number() }) },
      },
    },
    async (request) => ({
      queued: await resendNotice(db, requireActor(request), request.params.noticeId),
    }),
  );
}
