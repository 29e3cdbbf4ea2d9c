/**
 * Notice content over HTTP: previews (of a stored notice in any language, and of a template
 * someone is editing), follow-up phases, and the regulator report as JSON or PDF. Previews
 * change nothing; a follow-up is drafted with its audit entry.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { fail } from '../../domain/errors.ts';
import { resolveInvestigationId } from '../../investigations/workflow.ts';
import { createFollowUp } from '../../notify/phases.ts';
import { renderNotice, SAMPLE_FACTS } from '../../notify/render.ts';
import { buildRegulatorReport } from '../../notify/report.ts';
import { renderReportPdf } from '../../notify/report-pdf.ts';
import { compileTemplate, TEMPLATE_MAX_LENGTH } from '../../notify/templates/engine.ts';
import { NOTICE_AUDIENCES, type NoticeAudience } from '../../notify/templates/loader.ts';
import { LANGUAGES, toLanguage } from '../../notify/templates/vocabulary.ts';
import { iso } from '../../store/db.ts';
import { notices } from '../../store/schema.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const noticeParams = z.object({ noticeId: z.string().max(100) });
const idParams = z.object({ id: z.string().max(100) });

const rendering = z.object({
  audience: z.string(),
  language: z.string(),
  languages: z.array(z.string()),
  subject: z.string(),
  body: z.string(),
  bodySha256: z.string(),
});

export function registerNoticeContentRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.post(
    '/api/v1/notices/:noticeId/preview',
    {
      config: { action: 'notice.preview' },
      schema: {
        summary: "Render a notice's stored facts in a language; stores nothing",
        params: noticeParams,
        body: z.object({ language: z.enum(LANGUAGES).optional() }).optional(),
        response: { 200: rendering.extend({ noticeId: z.string(), phase: z.number() }) },
      },
    },
    async (request) => {
      const [n] = await db.select().from(notices).where(eq(notices.id, request.params.noticeId));
      if (!n) fail('BD_NOT_FOUND', `notice ${request.params.noticeId} not found`, 'noticeId');
      if (!(NOTICE_AUDIENCES as readonly string[]).includes(n.audience)) {
        fail('BD_NOTICE_INVALID_STATE', `notice ${n.id} has no template for ${n.audience}`);
      }

      const language = request.body?.language ?? toLanguage(n.language) ?? 'en';
      const audience = n.audience as NoticeAudience;
      const out = renderNotice({ audience, facts: n.facts, languages: [language] });
      return { noticeId: n.id, phase: n.phase, audience, ...out };
    },
  );

  app.post(
    '/api/v1/templates/preview',
    {
      config: { action: 'template.preview' },
      schema: {
        summary: 'Render a template (shipped, or given) against sample or given facts',
        body: z.object({
          audience: z.enum(NOTICE_AUDIENCES),
          language: z.enum(LANGUAGES),
          template: z.string().max(TEMPLATE_MAX_LENGTH).optional(),
          facts: z.record(z.string(), z.unknown()).optional(),
        }),
        response: { 200: rendering },
      },
    },
    (request) => {
      const { audience, language, template, facts } = request.body;

      const compiled = template === undefined ? undefined : compileTemplate(template, 'preview');
      const out = renderNotice({
        audience,
        facts: { ...SAMPLE_FACTS, ...facts },
        languages: [language],
        template: compiled,
      });
      return { audience, ...out };
    },
  );

  app.post(
    '/api/v1/notices/:noticeId/follow-ups',
    {
      config: { action: 'notice.followup.draft' },
      schema: {
        summary:
          'Draft the next phase of an approved notice (GDPR Art. 33(4)): ' +
          '{ what, includeCustomerSummary? }',
        params: noticeParams,
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const row = await createFollowUp(db, actor, request.params.noticeId, request.body);

      void reply.status(201);
      return {
        id: row.id,
        investigationId: row.investigationId,
        tenantId: row.tenantId,
        audience: row.audience,
        phase: row.phase,
        followsNoticeId: row.followsNoticeId,
        language: row.language,
        status: row.status,
        subject: row.subject,
        body: row.body,
        bodySha256: row.bodySha256,
        createdAt: iso(row.createdAt),
      };
    },
  );

  app.get(
    '/api/v1/investigations/:id/report.json',
    {
      config: { action: 'report.regulator.read' },
      schema: { summary: 'Regulator report of an investigation, as JSON', params: idParams },
    },
    async (request) => {
      const id = await resolveInvestigationId(db, request.params.id);
      return buildRegulatorReport(db, id);
    },
  );

  app.get(
    '/api/v1/investigations/:id/report.pdf',
    {
      config: { action: 'report.regulator.read' },
      schema: { summary: 'Regulator report of an investigation, as PDF', params: idParams },
    },
    async (request, reply) => {
      const id = await resolveInvestigationId(db, request.params.id);
      const report = await buildRegulatorReport(db, id);
      const pdf = await renderReportPdf(report);

      void reply
        .header('content-type', 'application/pdf')
        .header(
          'content-disposition',
          `attachment; filename="${report.investigation.ref}-regulator-report.pdf"`,
        );
      return reply.send(Buffer.from(pdf));
    },
  );
}
