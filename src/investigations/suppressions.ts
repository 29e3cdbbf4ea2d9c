/**
 * Suppression rules in the store: create, revoke, list with how many signals each muted.
 * Intake applies the active ones (src/intake/store-batch.ts); every change here is written
 * with its audit entry in one transaction.
 *
 * Who may do what (src/auth/policy.ts): a rule mutes detection, so creating one is for
 * incident managers, investigators and admins; revoking one only makes detection louder again,
 * so responders may too. The staff who read investigations read them.
 */
import { and, desc, eq, gt, isNotNull, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';

import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { parseRuleRequest, type RuleRequest, ruleState } from '../domain/suppression-rule.ts';
import { noControls, showsText } from '../domain/text-rules.ts';
import type { MatchExpression } from '../domain/suppression.ts';
import { parseOrFail } from '../domain/validate.ts';
import { type Conn, type Db, iso, type Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { suppressionRules } from '../store/schema.ts';

/** Most rules one listing returns, newest first. */
export const RULE_LIST_MAX = 1000;

type RuleRow = typeof suppressionRules.$inferSelect;

/** A rule as callers see it, with its state now and the signals it has muted so far. */
export interface RuleView {
  id: string;
  state: 'active' | 'expired' | 'revoked';
  match: MatchExpression;
  owner: string;
  reason: string;
  expiresAt: string;
  investigationId: string | null;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  suppressedSignals: number;
}

/** Refuses an actor who may not create rules; `field` names the input that asked for one. */
export function assertRuleAuthor(actor: Actor, field?: string): void {
  assertCan(actor, 'suppression.create', { field });
}

/** Refuses an actor who may not read rules (auditors, tenant users, account team, reporters). */
export function assertRuleReader(actor: Actor): void {
  assertCan(actor, 'suppression.read');
}

/**
 * Stores a checked rule and its audit entry in the caller's transaction; `investigationId`
 * links it to the false positive it came from.
 */
export async function insertSuppressionRule(
  tx: Tx,
  actor: Actor,
  request: RuleRequest,
  investigationId: string | null,
  now: Date,
): Promise<RuleRow> {
  const [row] = await tx
    .insert(suppressionRules)
    .values({
      id: newId(),
      match: request.match,
      owner: request.owner,
      reason: request.reason,
      expiresAt: request.expiresAt,
      investigationId,
      createdBy: actorLabel(actor),
      createdAt: now.toISOString(),
    })
    .returning();
  if (!row) throw new Error('suppression rule insert returned no row');

  await appendAudit(tx, {
    actor: actorLabel(actor),
    action: 'suppression_rule.created',
    entityType: 'suppression_rule',
    entityId: row.id,
    data: { ...request, investigationId },
    at: now,
  });
  return row;
}

/** Creates a rule on its own (not from a classification). */
export async function createSuppressionRule(
  db: Db,
  actor: Actor,
  input: unknown,
  now = new Date(),
): Promise<RuleView> {
  assertRuleAuthor(actor);
  const request = parseRuleRequest(input, now, actor.id);

  const row = await db.transaction((tx) => insertSuppressionRule(tx, actor, request, null, now));
  return view(row, 0, now);
}

const revokeSchema = z
  .object({
    reason: z
      .string()
      .trim()
      // Optional, but a reason given is kept in the audit log: it must say something.
      .superRefine(showsText('say why the rule is revoked, or leave reason out'))
      .max(4000, 'must be at most 4000 characters')
      .superRefine(noControls('many'))
      .optional(),
  })
  .strict();

/** Revokes an active rule at once: signals from now on are triaged again. */
export async function revokeSuppressionRule(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown = {},
  now = new Date(),
): Promise<RuleView> {
  assertCan(actor, 'suppression.revoke');
  const { reason } = parseOrFail(revokeSchema, input ?? {}, 'BD_SUPPRESSION_INVALID');

  return db.transaction(async (tx) => {
    const [rule] = await tx
      .select()
      .from(suppressionRules)
      .where(eq(suppressionRules.id, id))
      .for('update');
    if (!rule) fail('BD_NOT_FOUND', `suppression rule ${id} not found`, 'ruleId');
    const state = ruleState({ expiresAt: iso(rule.expiresAt), revokedAt: rule.revokedAt }, now);
    if (state !== 'active') {
      fail(
        'BD_SUPPRESSION_STATE',
        `suppression rule ${id} is already ${state}; only an active rule can be revoked`,
        'ruleId',
      );
    }

    const [revoked] = await tx
      .update(suppressionRules)
      .set({ revokedAt: now.toISOString(), revokedBy: actorLabel(actor) })
      .where(eq(suppressionRules.id, id))
      .returning();
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'suppression_rule.revoked',
      entityType: 'suppression_rule',
      entityId: id,
      data: { reason: reason ?? null },
      at: now,
    });

    const counts = await suppressedCounts(tx, [id]);
    return view(revoked ?? rule, counts.get(id) ?? 0, now);
  });
}

export interface RuleFilter {
  state?: 'active' | 'expired' | 'revoked' | 'all';
  investigationId?: string;
}

/** Rules newest first (at most RULE_LIST_MAX), each with its signal count. */
export async function listSuppressionRules(
  db: Db,
  filter: RuleFilter = {},
  now = new Date(),
): Promise<RuleView[]> {
  const at = now.toISOString();
  const byState: Record<NonNullable<RuleFilter['state']>, SQL | undefined> = {
    all: undefined,
    active: and(isNull(suppressionRules.revokedAt), gt(suppressionRules.expiresAt, at)),
    expired: and(isNull(suppressionRules.revokedAt), lte(suppressionRules.expiresAt, at)),
    revoked: isNotNull(suppressionRules.revokedAt),
  };
  const rows = await db
    .select()
    .from(suppressionRules)
    .where(
      and(
        byState[filter.state ?? 'all'],
        filter.investigationId
          ? eq(suppressionRules.investigationId, filter.investigationId)
          : undefined,
      ),
    )
    .orderBy(desc(suppressionRules.createdAt), desc(suppressionRules.id))
    .limit(RULE_LIST_MAX);

  const counts = await suppressedCounts(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => view(r, counts.get(r.id) ?? 0, now));
}

/** One rule, or BD_NOT_FOUND. */
export async function getSuppressionRule(db: Db, id: string, now = new Date()): Promise<RuleView> {
  const [row] = await db.select().from(suppressionRules).where(eq(suppressionRules.id, id));
  if (!row) fail('BD_NOT_FOUND', `suppression rule ${id} not found`, 'ruleId');

  const counts = await suppressedCounts(db, [id]);
  return view(row, counts.get(id) ?? 0, now);
}

/** Signals each rule muted, from signals.suppressed_by (indexed). */
async function suppressedCounts(conn: Conn, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();

  const result: unknown = await conn.execute(sql`
    SELECT suppressed_by AS id, count(*)::int AS n FROM signals
    WHERE suppressed_by = ANY(${sql.param(ids)}::text[])
    GROUP BY suppressed_by`);
  const rows = (result as { rows: { id: string; n: number }[] }).rows;
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

function view(row: RuleRow, suppressedSignals: number, now: Date): RuleView {
  const expiresAt = iso(row.expiresAt);
  const revokedAt = iso(row.revokedAt);
  return {
    id: row.id,
    state: ruleState({ expiresAt, revokedAt }, now),
    match: row.match as MatchExpression,
    owner: row.owner,
    reason: row.reason,
    expiresAt,
    investigationId: row.investigationId,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    revokedAt,
    revokedBy: row.revokedBy,
    suppressedSignals,
  };
}
