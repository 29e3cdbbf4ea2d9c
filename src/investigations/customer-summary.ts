/**
 * The customer-facing summary of an investigation: a text written apart from the confidential
 * post-mortem, for customers to read. The team or an incident manager writes it (each edit is
 * a new row, kept), another incident manager approves it, and only the newest approved one may
 * go into a follow-up notice (src/notify/phases.ts, `includeCustomerSummary`). The post-mortem
 * itself never goes into a notice.
 */
import { createHash } from 'node:crypto';
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { parseOrFail } from '../domain/validate.ts';
import { personOf } from '../notify/holds.ts';
import { type Conn, type Db, iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { customerSummaries, investigations } from '../store/schema.ts';
import { assertTeamAccess } from './team.ts';

export const SUMMARY_MAX_LENGTH = 5000;
// What a follow-up's "what is new" may hold in all (src/domain/notice-content.ts).
const FOLLOW_UP_WHAT_MAX = 20_000;

export interface CustomerSummary {
  id: string;
  investigationId: string;
  body: string;
  bodySha256: string;
  writtenBy: string;
  writtenAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

type SummaryRow = typeof customerSummaries.$inferSelect;

const writeSchema = z.strictObject({
  body: z
    .string({ error: 'give the summary text as body' })
    .trim()
    .min(1, 'must not be empty')
    .max(SUMMARY_MAX_LENGTH, `must be at most ${SUMMARY_MAX_LENGTH} characters`),
});

/** Writes a new summary (trimmed, 1 to 5000 characters; BD_SUMMARY_INVALID, field `body`). */
export async function writeCustomerSummary(
  db: Db,
  actor: Actor,
  investigationId: string,
  input: unknown,
  now = new Date(),
): Promise<CustomerSummary> {
  assertCan(actor, 'customer_summary.write');
  await assertInvestigation(db, investigationId);
  await assertTeamAccess(db, actor, 'customer_summary.write', investigationId);
  const { body } = parseOrFail(writeSchema, input, 'BD_SUMMARY_INVALID');
  const bodySha256 = createHash('sha256').update(body).digest('hex');

  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(customerSummaries)
      .values({
        id: newId(),
        investigationId,
        body,
        bodySha256,
        writtenBy: actor.id,
        writtenAt: now.toISOString(),
      })
      .returning();
    if (!row) throw new Error('insert returned no summary');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'customer_summary.written',
      entityType: 'investigation',
      entityId: investigationId,
      data: { summaryId: row.id, bodySha256, length: body.length },
      at: now,
    });
    return view(row);
  });
}

/**
 * Approves a summary for use in follow-up notices. The approver must not be its writer
 * (BD_SUMMARY_SELF_APPROVAL); an approved summary stays approved (BD_SUMMARY_STATE).
 */
export async function approveCustomerSummary(
  db: Db,
  actor: Actor,
  investigationId: string,
  summaryId: string,
  now = new Date(),
): Promise<CustomerSummary> {
  assertCan(actor, 'customer_summary.approve');

  return db.transaction(async (tx) => {
    const [summary] = await tx
      .select()
      .from(customerSummaries)
      .where(
        and(
          eq(customerSummaries.id, summaryId),
          eq(customerSummaries.investigationId, investigationId),
        ),
      )
      .for('update');
    if (!summary) fail('BD_NOT_FOUND', `summary ${summaryId} not found`, 'summaryId');
    if (summary.approvedAt !== null) {
      fail(
        'BD_SUMMARY_STATE',
        `summary ${summaryId} was already approved by ${summary.approvedBy}`,
        'summaryId',
      );
    }
    // Only the newest text may be approved: approving one a correction has replaced would
    // send customers the words the team already took back.
    const [newest] = await tx
      .select({ id: customerSummaries.id })
      .from(customerSummaries)
      .where(eq(customerSummaries.investigationId, investigationId))
      .orderBy(desc(customerSummaries.writtenAt), desc(customerSummaries.id))
      .limit(1);
    if (newest && newest.id !== summaryId) {
      fail(
        'BD_SUMMARY_STATE',
        `summary ${summaryId} was replaced by a newer one (${newest.id}); approve that instead`,
        'summaryId',
      );
    }
    // Four eyes: the same person through another door (CLI, token, session) is still one.
    if (samePerson(summary.writtenBy, actor.id)) {
      fail(
        'BD_SUMMARY_SELF_APPROVAL',
        `summary ${summaryId} was written by ${summary.writtenBy}; another incident manager ` +
          'must approve it',
        'summaryId',
      );
    }

    const [row] = await tx
      .update(customerSummaries)
      .set({ approvedBy: actor.id, approvedAt: now.toISOString() })
      .where(eq(customerSummaries.id, summaryId))
      .returning();
    if (!row) throw new Error('update returned no summary');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'customer_summary.approved',
      entityType: 'investigation',
      entityId: investigationId,
      data: { summaryId, bodySha256: row.bodySha256, writtenBy: row.writtenBy },
      at: now,
    });
    return view(row);
  });
}

/** Every summary of the investigation, newest first. */
export async function listCustomerSummaries(
  conn: Conn,
  investigationId: string,
): Promise<CustomerSummary[]> {
  await assertInvestigation(conn, investigationId);
  const rows = await conn
    .select()
    .from(customerSummaries)
    .where(eq(customerSummaries.investigationId, investigationId))
    .orderBy(desc(customerSummaries.writtenAt), desc(customerSummaries.id));
  return rows.map(view);
}

/** The newest approved summary, or null: the only one that may go into a notice. */
export async function approvedCustomerSummary(
  conn: Conn,
  investigationId: string,
): Promise<CustomerSummary | null> {
  const [row] = await conn
    .select()
    .from(customerSummaries)
    .where(
      and(
        eq(customerSummaries.investigationId, investigationId),
        isNotNull(customerSummaries.approvedAt),
      ),
    )
    .orderBy(desc(customerSummaries.writtenAt), desc(customerSummaries.id))
    .limit(1);
  return row ? view(row) : null;
}

/**
 * A follow-up's "what is new" with the newest approved summary after it. Without an approved
 * summary: BD_SUMMARY_STATE naming `includeCustomerSummary`.
 */
export async function whatWithCustomerSummary(
  conn: Conn,
  investigationId: string,
  what: string,
): Promise<{ what: string; summary: CustomerSummary }> {
  const summary = await approvedCustomerSummary(conn, investigationId);
  if (!summary) {
    fail(
      'BD_SUMMARY_STATE',
      'includeCustomerSummary needs an approved customer-facing summary; write one and have ' +
        'an incident manager approve it, or leave includeCustomerSummary out',
      'includeCustomerSummary',
    );
  }

  const combined = `${what}\n\n${summary.body}`;
  if (combined.length > FOLLOW_UP_WHAT_MAX) {
    fail(
      'BD_REQUEST_INVALID',
      `what and the customer summary together must be at most ${FOLLOW_UP_WHAT_MAX} ` +
        'characters; shorten what',
      'what',
    );
  }
  return { what: combined, summary };
}

function samePerson(a: string, b: string): boolean {
  const person = (id: string) => personOf(id.replace(/^person:/, ''));
  return person(a) === person(b);
}

async function assertInvestigation(conn: Conn, id: string): Promise<void> {
  const [inv] = await conn
    .select({ id: investigations.id })
    .from(investigations)
    .where(eq(investigations.id, id));
  if (!inv) fail('BD_NOT_FOUND', `investigation ${id} not found`, 'investigationId');
}

function view(row: SummaryRow): CustomerSummary {
  return {
    id: row.id,
    investigationId: row.investigationId,
    body: row.body,
    bodySha256: row.bodySha256,
    writtenBy: row.writtenBy,
    writtenAt: iso(row.writtenAt),
    approvedBy: row.approvedBy,
    approvedAt: iso(row.approvedAt),
  };
}
