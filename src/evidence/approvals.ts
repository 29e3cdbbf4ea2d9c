/**
 * An incident manager's written approval for evidence to leave the system (DESIGN.md §1.7):
 * who approved, when, what (kinds of evidence and optionally single items), why, for whom,
 * and until when. Approvals are recorded, listed and revoked here; src/evidence/export.ts
 * refuses any export not made under one that is still valid.
 */
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { parseOrFail } from '../domain/validate.ts';
import { lineBreakOrControlIn, showsNoText } from '../domain/visible-text.ts';
import { type Conn, type Db, iso, type Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { evidenceApprovals } from '../store/schema.ts';
import { itemKinds } from './contents.ts';
import { EVIDENCE_KINDS, type EvidenceScope } from './kinds.ts';

export const APPROVAL_REASON_MIN = 10;
export const APPROVAL_REASON_MAX = 2000;
export const APPROVAL_RECIPIENT_MAX = 200;
export const APPROVAL_DEFAULT_DAYS = 7;
export const APPROVAL_MAX_DAYS = 30;
// More single items than this is better approved by kind.
const ITEM_IDS_MAX = 1000;

const MS_PER_DAY = 86_400_000;

// Strict objects: a misspelt `itemIDs` must be refused, not ignored into "every item".
const approvalSchema = z.strictObject({
  scope: z.strictObject(
    {
      kinds: z
        .array(z.enum(EVIDENCE_KINDS, { error: `must be one of ${EVIDENCE_KINDS.join(', ')}` }), {
          error: `a list of kinds: ${EVIDENCE_KINDS.join(', ')}`,
        })
        .min(1, `name at least one kind: ${EVIDENCE_KINDS.join(', ')}`),
      itemIds: z
        .array(z.string().min(1, 'an item id is required').max(100, 'is not an item id'))
        .min(1, 'list at least one item id, or leave itemIds out to approve every item')
        .max(ITEM_IDS_MAX, `at most ${ITEM_IDS_MAX} items; approve by kind instead`)
        .optional(),
    },
    { error: 'an object { kinds, itemIds? } saying what may leave' },
  ),
  reason: z
    .string({ error: 'why the evidence may leave is required' })
    .trim()
    .min(APPROVAL_REASON_MIN, `must be at least ${APPROVAL_REASON_MIN} characters`)
    .max(APPROVAL_REASON_MAX, `must be at most ${APPROVAL_REASON_MAX} characters`)
    .refine((s) => !showsNoText(s), 'the reason shows no text'),
  recipient: z
    .string({ error: 'who receives the evidence is required' })
    .trim()
    .min(1, 'who receives the evidence is required')
    .max(APPROVAL_RECIPIENT_MAX, `must be at most ${APPROVAL_RECIPIENT_MAX} characters`)
    .refine((s) => !showsNoText(s), 'the recipient shows no text')
    .refine((s) => lineBreakOrControlIn(s) === null, 'must be one line without control characters'),
  expiresAt: z.iso
    .datetime({
      offset: true,
      error: 'must be an ISO 8601 date and time with Z or an offset, e.g. 2026-12-15T09:00:00Z',
    })
    .optional(),
});

/** Where an approval stands; only an active one lets evidence leave. */
export type ApprovalState = 'active' | 'expired' | 'revoked';

/** An approval as the API and the CLI show it. */
export interface ApprovalView {
  id: string;
  investigationId: string;
  approvedBy: string;
  approvedAt: string;
  scope: EvidenceScope;
  reason: string;
  recipient: string;
  expiresAt: string;
  revokedBy: string | null;
  revokedAt: string | null;
  state: ApprovalState;
}

export type ApprovalRow = typeof evidenceApprovals.$inferSelect;

export function approvalState(row: ApprovalRow, now: Date): ApprovalState {
  if (row.revokedAt !== null) return 'revoked';
  return Date.parse(iso(row.expiresAt)) <= now.getTime() ? 'expired' : 'active';
}

export function toApprovalView(row: ApprovalRow, now: Date): ApprovalView {
  return {
    id: row.id,
    investigationId: row.investigationId,
    approvedBy: row.approvedBy,
    approvedAt: iso(row.approvedAt),
    scope: row.scope as EvidenceScope,
    reason: row.reason,
    recipient: row.recipient,
    expiresAt: iso(row.expiresAt),
    revokedBy: row.revokedBy,
    revokedAt: iso(row.revokedAt),
    state: approvalState(row, now),
  };
}

interface ParsedApproval {
  scope: EvidenceScope;
  reason: string;
  recipient: string;
  expiresAt: string;
}

/**
 * Checks an approval's fields with no I/O: known kinds, a reason of 10 to 2000 characters, a
 * one-line recipient of 1 to 200, and an expiry after `now` and at most 30 days later
 * (default 7 days). Duplicates in the lists are dropped. Throws BD_EVIDENCE_INVALID naming
 * the field.
 */
export function parseApproval(input: unknown, now: Date): ParsedApproval {
  const body = parseOrFail(approvalSchema, input, 'BD_EVIDENCE_INVALID');

  const expires = body.expiresAt
    ? new Date(body.expiresAt)
    : new Date(now.getTime() + APPROVAL_DEFAULT_DAYS * MS_PER_DAY);
  if (expires.getTime() <= now.getTime()) {
    fail('BD_EVIDENCE_INVALID', 'expiresAt must be in the future', 'expiresAt');
  }
  if (expires.getTime() > now.getTime() + APPROVAL_MAX_DAYS * MS_PER_DAY) {
    fail(
      'BD_EVIDENCE_INVALID',
      `expiresAt must be at most ${APPROVAL_MAX_DAYS} days ahead; approve again to go longer`,
      'expiresAt',
    );
  }

  const kinds = EVIDENCE_KINDS.filter((k) => body.scope.kinds.includes(k));
  const itemIds = body.scope.itemIds && [...new Set(body.scope.itemIds)];
  return {
    scope: itemIds ? { kinds, itemIds } : { kinds },
    reason: body.reason,
    recipient: body.recipient,
    expiresAt: expires.toISOString(),
  };
}

/**
 * With single items named, each must be an item of the investigation of a listed kind, and
 * each listed kind must have an item: a kind with none would let nothing of it leave while
 * reading as if it did.
 */
async function assertItemsBelong(tx: Tx, investigationId: string, scope: EvidenceScope) {
  if (scope.itemIds === undefined) return;

  const found = await itemKinds(tx, investigationId, scope.itemIds);
  scope.itemIds.forEach((id, i) => {
    const kind = found.get(id);
    if (kind === undefined || !scope.kinds.includes(kind)) {
      fail(
        'BD_EVIDENCE_INVALID',
        `${JSON.stringify(id.slice(0, 100))} is not ${scope.kinds.join(' or ')} evidence of ` +
          'this investigation; list ids of its evidence files, signals or scoping runs',
        `scope.itemIds[${i}]`,
      );
    }
  });
  const listed = new Set(found.values());
  const empty = scope.kinds.findIndex((k) => !listed.has(k));
  if (empty >= 0) {
    fail(
      'BD_EVIDENCE_INVALID',
      `no item of kind ${scope.kinds[empty]} is listed in scope.itemIds; list its items or ` +
        'drop the kind',
      `scope.kinds[${empty}]`,
    );
  }
}

/** Records an incident manager's approval on the investigation (audited). */
export async function approveEvidenceExport(
  db: Db,
  actor: Actor,
  investigationId: string,
  input: unknown,
  now = new Date(),
): Promise<ApprovalView> {
  assertCan(actor, 'evidence.approve', { object: { kind: 'investigation', id: investigationId } });
  const approval = parseApproval(input, now);

  return db.transaction(async (tx) => {
    await assertItemsBelong(tx, investigationId, approval.scope);

    const [row] = await tx
      .insert(evidenceApprovals)
      .values({
        id: newId(),
        investigationId,
        approvedBy: actorLabel(actor),
        approvedAt: now.toISOString(),
        ...approval,
      })
      .returning();
    if (!row) fail('BD_INTERNAL', 'evidence approval was not stored');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'evidence.export_approved',
      entityType: 'investigation',
      entityId: investigationId,
      data: { approvalId: row.id, ...approval },
      at: now,
    });

    return toApprovalView(row, now);
  });
}

const revokeSchema = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1, 'leave reason out or say why')
    .max(APPROVAL_REASON_MAX, `must be at most ${APPROVAL_REASON_MAX} characters`)
    .optional(),
});

/** Revokes an approval of the investigation, so that no further export is made under it. */
export async function revokeEvidenceApproval(
  db: Db,
  actor: Actor,
  investigationId: string,
  approvalId: string,
  input: unknown = {},
  now = new Date(),
): Promise<ApprovalView> {
  assertCan(actor, 'evidence.approve', { object: { kind: 'investigation', id: investigationId } });
  const body = parseOrFail(revokeSchema, input ?? {}, 'BD_EVIDENCE_INVALID');

  return db.transaction(async (tx) => {
    const approval = await lockApproval(tx, investigationId, approvalId, 'update');
    if (approval.revokedAt !== null) {
      fail('BD_EVIDENCE_STATE', `approval ${approvalId} was already revoked`, 'approvalId');
    }

    const [row] = await tx
      .update(evidenceApprovals)
      .set({ revokedBy: actorLabel(actor), revokedAt: now.toISOString() })
      .where(eq(evidenceApprovals.id, approvalId))
      .returning();
    if (!row) fail('BD_INTERNAL', 'evidence approval revocation was not stored');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'evidence.approval_revoked',
      entityType: 'investigation',
      entityId: investigationId,
      data: { approvalId, reason: body.reason ?? null },
      at: now,
    });

    return toApprovalView(row, now);
  });
}

/**
 * The approval, locked: 'update' to change it, 'share' to export under it (a revocation then
 * waits for the export to finish, so none slips past a revocation).
 */
export async function lockApproval(
  tx: Tx,
  investigationId: string,
  approvalId: string,
  mode: 'update' | 'share',
): Promise<ApprovalRow> {
  const [row] = await tx
    .select()
    .from(evidenceApprovals)
    .where(
      and(
        eq(evidenceApprovals.id, approvalId),
        eq(evidenceApprovals.investigationId, investigationId),
      ),
    )
    .for(mode);
  if (!row)
    fail('BD_NOT_FOUND', `approval ${approvalId} not found on this investigation`, 'approvalId');
  return row;
}

/** The investigation's approvals, oldest first. */
export async function listEvidenceApprovals(
  conn: Conn,
  investigationId: string,
  now = new Date(),
): Promise<ApprovalView[]> {
  const rows = await conn
    .select()
    .from(evidenceApprovals)
    .where(eq(evidenceApprovals.investigationId, investigationId))
    .orderBy(asc(evidenceApprovals.approvedAt), asc(evidenceApprovals.id));
  return rows.map((r) => toApprovalView(r, now));
}
