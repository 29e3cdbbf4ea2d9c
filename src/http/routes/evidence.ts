/**
 * Evidence export routes (docs/evidence.md): incident managers approve and revoke, those who
 * work the case export under an approval, and the approvals and exports are listed. The
 * rules live in src/evidence/, which names the bad field; the schemas here describe the shape
 * for the OpenAPI document and leave fields optional so a missing one gets the coded answer.
 * Bodies are loose objects: an unknown key must reach the strict domain check and be refused
 * (a misspelt `itemIds` stripped here would widen an approval to every item).
 */
import { z } from 'zod';
import {
  APPROVAL_MAX_DAYS,
  APPROVAL_REASON_MAX,
  APPROVAL_REASON_MIN,
  APPROVAL_RECIPIENT_MAX,
  approveEvidenceExport,
  listEvidenceApprovals,
  revokeEvidenceApproval,
} from '../../evidence/approvals.ts';
import { exportEvidence, listEvidenceExports } from '../../evidence/export.ts';
import { EVIDENCE_KINDS } from '../../evidence/kinds.ts';
import { sha256Hex } from '../../evidence/package.ts';
import { resolveInvestigationId } from '../../investigations/workflow.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const idParams = z.object({ id: z.string().max(100) });
const approvalParams = z.object({ id: z.string().max(100), approvalId: z.string().max(100) });

const approvalSchema = z.object({
  id: z.string(),
  investigationId: z.string(),
  approvedBy: z.string(),
  approvedAt: z.string(),
  scope: z.object({ kinds: z.array(z.string()), itemIds: z.array(z.string()).optional() }),
  reason: z.string(),
  recipient: z.string(),
  expiresAt: z.string(),
  revokedBy: z.string().nullable(),
  revokedAt: z.string().nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
});

const exportSchema = z.object({
  id: z.string(),
  approvalId: z.string(),
  investigationId: z.string(),
  actor: z.string(),
  at: z.string(),
  manifest: z.record(z.string(), z.unknown()),
  manifestSha256: z.string(),
});

const packageFileSchema = z.object({
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  contentBase64: z.string(),
});

const kinds = `kinds of evidence: ${EVIDENCE_KINDS.join(', ')}`;

export function registerEvidenceRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.post(
    '/api/v1/investigations/:id/evidence-approvals',
    {
      config: { action: 'evidence.approve' },
      schema: {
        summary: 'Approve evidence leaving the system: what, why, for whom, until when',
        params: idParams,
        body: z.looseObject({
          scope: z
            .looseObject({
              kinds: z.array(z.string()).optional().describe(kinds),
              itemIds: z.array(z.string()).optional().describe('only these items, if given'),
            })
            .optional(),
          reason: z
            .string()
            .optional()
            .describe(`why, ${APPROVAL_REASON_MIN} to ${APPROVAL_REASON_MAX} characters`),
          recipient: z
            .string()
            .optional()
            .describe(`for whom, 1 to ${APPROVAL_RECIPIENT_MAX} characters`),
          expiresAt: z
            .string()
            .optional()
            .describe(`ISO 8601 with offset; default 7 days, at most ${APPROVAL_MAX_DAYS}`),
        }),
        response: { 201: approvalSchema },
      },
    },
    async (request, reply) => {
      const id = await resolveInvestigationId(db, request.params.id);
      const approval = await approveEvidenceExport(db, requireActor(request), id, request.body);
      return reply.status(201).send(approval);
    },
  );

  app.get(
    '/api/v1/investigations/:id/evidence-approvals',
    {
      config: { action: 'evidence.read_log' },
      schema: {
        summary: "The investigation's evidence export approvals, with their state",
        params: idParams,
        response: { 200: z.array(approvalSchema) },
      },
    },
    async (request) =>
      listEvidenceApprovals(db, await resolveInvestigationId(db, request.params.id)),
  );

  app.post(
    '/api/v1/investigations/:id/evidence-approvals/:approvalId/revoke',
    {
      config: { action: 'evidence.approve' },
      schema: {
        summary: 'Revoke an evidence export approval; no export is made under it again',
        params: approvalParams,
        body: z.looseObject({ reason: z.string().optional() }).optional(),
        response: { 200: approvalSchema },
      },
    },
    async (request) => {
      const id = await resolveInvestigationId(db, request.params.id);
      const actor = requireActor(request);
      return revokeEvidenceApproval(db, actor, id, request.params.approvalId, request.body);
    },
  );

  app.post(
    '/api/v1/investigations/:id/evidence-exports',
    {
      config: { action: 'evidence.export' },
      schema: {
        summary: 'Export evidence under an approval: every package file, base64, with manifest',
        params: idParams,
        body: z.looseObject({
          approvalId: z.string().optional().describe('the approval to export under'),
          kinds: z.array(z.string()).optional().describe(`${kinds}; default: all approved`),
        }),
        response: {
          201: z.object({
            format: z.string(),
            exportId: z.string(),
            manifestSha256: z.string(),
            manifest: z.record(z.string(), z.unknown()),
            files: z.array(packageFileSchema),
          }),
        },
      },
    },
    async (request, reply) => {
      const id = await resolveInvestigationId(db, request.params.id);
      const result = await exportEvidence(db, requireActor(request), id, request.body);

      const pkg = result.package;
      const name = `evidence-${pkg.manifest.investigation.ref}-${result.export.id}.json`;
      return reply
        .status(201)
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send({
          format: pkg.manifest.format,
          exportId: result.export.id,
          manifestSha256: pkg.manifestSha256,
          manifest: { ...pkg.manifest },
          files: pkg.files.map((f) => ({
            path: f.path,
            size: f.content.length,
            sha256: sha256Hex(f.content),
            contentBase64: f.content.toString('base64'),
          })),
        });
    },
  );

  app.get(
    '/api/v1/investigations/:id/evidence-exports',
    {
      config: { action: 'evidence.read_log' },
      schema: {
        summary: "The investigation's past evidence exports, each with its manifest",
        params: idParams,
        response: { 200: z.array(exportSchema) },
      },
    },
    async (request) => listEvidenceExports(db, await resolveInvestigationId(db, request.params.id)),
  );
}
