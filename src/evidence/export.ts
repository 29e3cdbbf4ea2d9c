/**
 * Evidence leaving the system (DESIGN.md §1.7). An export names an approval; it goes ahead
 * only when that approval is for the same investigation, not expired, not revoked and covers
 * every kind asked for. The package (src/evidence/package.ts) is recorded with its manifest
 * and the manifest's SHA-256 and audited as `evidence.exported`, in the transaction that
 * hands it over, so an export that fails to be delivered leaves no record and one refused
 * leaves nothing at all.
 */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { parseOrFail } from '../domain/validate.ts';
import { type Conn, type Db, iso, type Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { evidenceApprovals, evidenceExports, investigations } from '../store/schema.ts';
import { type ApprovalRow, approvalState } from './approvals.ts';
import { loadContents } from './contents.ts';
import { EVIDENCE_KINDS, type EvidenceKind, type EvidenceScope } from './kinds.ts';
import { buildPackage, type EvidencePackage, type Manifest, sha256Hex } from './package.ts';

const ASK = 'ask an incident manager to approve the export on this investigation';

const requestSchema = z.strictObject({
  approvalId: z.string().min(1).max(100).optional(),
  kinds: z
    .array(z.enum(EVIDENCE_KINDS, { error: `must be one of ${EVIDENCE_KINDS.join(', ')}` }))
    .min(1, 'name at least one kind, or leave kinds out for every approved kind')
    .optional(),
});

/** A past export as the API and the CLI list it. */
export interface ExportView {
  id: string;
  approvalId: string;
  investigationId: string;
  actor: string;
  at: string;
  manifest: Manifest;
  manifestSha256: string;
}

export interface ExportOptions {
  now?: Date;
  /**
   * Hands the package over (the CLI writes its folder) inside the recording transaction: if
   * it throws, the export is not recorded.
   */
  deliver?: (pkg: EvidencePackage) => Promise<void>;
}

export interface ExportResult {
  export: ExportView;
  package: EvidencePackage;
}

/**
 * Builds, records and delivers the package of the investigation's evidence under the named
 * approval. Refused with BD_EXPORT_NOT_APPROVED (naming approvalId or kinds) unless the
 * approval is valid for it; nothing is then stored or delivered.
 */
export async function exportEvidence(
  db: Db,
  actor: Actor,
  investigationId: string,
  input: unknown,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  assertCan(actor, 'evidence.export', { object: { kind: 'investigation', id: investigationId } });
  const request = parseOrFail(requestSchema, input ?? {}, 'BD_REQUEST_INVALID');
  const now = opts.now ?? new Date();
  if (request.approvalId === undefined) {
    fail('BD_EXPORT_NOT_APPROVED', `evidence leaves only under an approval; ${ASK}`, 'approvalId');
  }

  return db.transaction(async (tx) => {
    const approval = await validApproval(tx, investigationId, request.approvalId ?? '', now);
    const scope = approval.scope as EvidenceScope;
    const kinds = coveredKinds(scope, request.kinds);

    const contents = await loadContents(tx, investigationId, kinds, scope.itemIds);
    assertIntact(contents.files);
    const exportId = newId();
    const pkg = buildPackage(
      {
        exportId,
        investigation: { id: investigationId, ref: await refOf(tx, investigationId) },
        approval,
        exportedBy: actorLabel(actor),
        exportedAt: now.toISOString(),
        kinds,
      },
      contents,
    );

    const [row] = await tx
      .insert(evidenceExports)
      .values({
        id: exportId,
        approvalId: approval.id,
        investigationId,
        actor: actorLabel(actor),
        at: now.toISOString(),
        manifest: pkg.manifest,
        manifestSha256: pkg.manifestSha256,
      })
      .returning();
    if (!row) fail('BD_INTERNAL', 'evidence export was not recorded');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'evidence.exported',
      entityType: 'investigation',
      entityId: investigationId,
      data: {
        exportId,
        approvalId: approval.id,
        recipient: approval.recipient,
        kinds,
        entries: pkg.manifest.entries.length,
        manifestSha256: pkg.manifestSha256,
      },
      at: now,
    });
    if (opts.deliver) await opts.deliver(pkg);

    return { export: toExportView(row), package: pkg };
  });
}

/** The approval, locked against revocation until the export commits, if it allows one now. */
async function validApproval(
  tx: Tx,
  investigationId: string,
  approvalId: string,
  now: Date,
): Promise<ApprovalRow> {
  const [row] = await tx
    .select()
    .from(evidenceApprovals)
    .where(eq(evidenceApprovals.id, approvalId))
    .for('share');
  if (!row) fail('BD_EXPORT_NOT_APPROVED', `no approval ${approvalId}; ${ASK}`, 'approvalId');
  if (row.investigationId !== investigationId) {
    fail(
      'BD_EXPORT_NOT_APPROVED',
      `approval ${approvalId} is for another investigation; ${ASK}`,
      'approvalId',
    );
  }

  const state = approvalState(row, now);
  if (state === 'revoked') {
    fail(
      'BD_EXPORT_NOT_APPROVED',
      `approval ${approvalId} was revoked at ${iso(row.revokedAt)} by ${row.revokedBy}; ${ASK}`,
      'approvalId',
    );
  }
  if (state === 'expired') {
    fail(
      'BD_EXPORT_NOT_APPROVED',
      `approval ${approvalId} expired at ${iso(row.expiresAt)}; ${ASK}`,
      'approvalId',
    );
  }
  return row;
}

/** The kinds to export: those asked for, each of which the approval must cover. */
function coveredKinds(scope: EvidenceScope, asked: readonly EvidenceKind[] | undefined) {
  const wanted = asked ?? scope.kinds;
  const missing = wanted.filter((k) => !scope.kinds.includes(k));
  if (missing.length > 0) {
    fail(
      'BD_EXPORT_NOT_APPROVED',
      `the approval covers ${scope.kinds.join(', ')}, not ${missing.join(', ')}; ${ASK}`,
      'kinds',
    );
  }
  return EVIDENCE_KINDS.filter((k) => wanted.includes(k));
}

// A file whose bytes no longer match the hash taken at intake is no longer evidence of what
// was received; sending it on would pass off the altered copy as the original.
function assertIntact(files: { id: string; sha256: string; contentBase64: string }[]) {
  for (const file of files) {
    if (sha256Hex(Buffer.from(file.contentBase64, 'base64')) !== file.sha256) {
      fail(
        'BD_INTERNAL',
        `evidence file ${file.id} no longer matches the SHA-256 recorded at intake; not exported`,
      );
    }
  }
}

async function refOf(tx: Tx, investigationId: string): Promise<string> {
  const [row] = await tx
    .select({ number: investigations.number })
    .from(investigations)
    .where(eq(investigations.id, investigationId));
  if (!row) fail('BD_NOT_FOUND', `investigation ${investigationId} not found`, 'investigationId');
  return `INV-${row.number}`;
}

function toExportView(row: typeof evidenceExports.$inferSelect): ExportView {
  return {
    id: row.id,
    approvalId: row.approvalId,
    investigationId: row.investigationId,
    actor: row.actor,
    at: iso(row.at),
    manifest: row.manifest as Manifest,
    manifestSha256: row.manifestSha256,
  };
}

/** The investigation's past exports with their manifests, oldest first. */
export async function listEvidenceExports(
  conn: Conn,
  investigationId: string,
): Promise<ExportView[]> {
  const rows = await conn
    .select()
    .from(evidenceExports)
    .where(eq(evidenceExports.investigationId, investigationId))
    .orderBy(asc(evidenceExports.at), asc(evidenceExports.id));
  return rows.map(toExportView);
}
