import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { assertNoticeReadable } from '../../auth/notice-access.ts';
import { approveNotice } from '../../notify/approve.ts';
import { draftAuthorityNotice, withdrawAuthorityDraft } from '../../notify/authority-notice.ts';
import { resendNotice } from '../../notify/recipients.ts';
import { fail } from '../../domain/errors.ts';
import { notices } from '../../store/schema.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

export function registerNoticeRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/notices/:noticeId',
    {
      config: { action: 'notice.read' },
      schema: {
        summary: 'One notice with its rendered text',
        params: z.object({ noticeId: z.string().max(100) }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const [n] = await db.select().from(notices).where(eq(notices.id, request.params.noticeId));
      if (!n) fail('BD_NOT_FOUND', `notice ${request.params.noticeId} not found`, 'noticeId');
      // Tenant admins and the account team see approved notices of their tenants in scope.
      await assertNoticeReadable(db, actor, n);

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
      config: { action: 'notice.authority.draft' },
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
      config: { action: 'notice.withdraw' },
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
      config: { action: 'notice.approve' },
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
      config: { action: 'notice.resend' },
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
