/**
 * Takes parsed records into the database: one transaction per record, so a rejected or
 * failing line never leaves a half-written row and never stops the lines after it.
 */
import { and, desc, eq, gte, lte, ne, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import type { NormalizedSignal } from '../domain/types.ts';
import type { Db, Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { investigations, signals } from '../store/schema.ts';
import type { IntakeAdapter } from './outcome.ts';
import type { RecordItem } from './records.ts';

export type LineResult =
  | { line: number; status: 'accepted'; investigationId: string }
  | { line: number; status: 'duplicate'; investigationId: string }
  | { line: number; status: 'skipped'; reason: string }
  | { line: number; status: 'rejected'; code: string; field: string | null; reason: string };

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  skipped: number;
  rejected: number;
  results: LineResult[];
}

export interface IngestOptions {
  actor: Actor;
  /** How close in time a repeat must be to count as the same thing (default 24 h). */
  dedupWindowHours?: number;
  /** Called after each line, for progress reporting. */
  onLine?: (result: LineResult) => void;
  /** Keep per-line results for accepted and duplicate lines too (rejections are always kept). */
  keepAllResults?: boolean;
}

// Alerts are about now-ish events; a year far outside this is a broken sender clock, and
// PostgreSQL cannot store the window arithmetic around years 1 or 9999 anyway.
const MIN_YEAR = 1970;
const MAX_YEAR = 2200;
// Deeper nesting than any sender format uses; it would only exhaust the stack later.
const MAX_DEPTH = 64;

/**
 * What would stop a record from being stored as evidence: nesting beyond MAX_DEPTH, a NUL
 * character (PostgreSQL text cannot hold U+0000) or a lone UTF-16 surrogate (not Unicode).
 */
export function storageProblem(value: unknown): { field: string | null; reason: string } | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    const field = path || null;
    if (typeof v === 'string') {
      if (v.includes('\u0000'))
        return { field, reason: 'contains a NUL character (U+0000), which cannot be stored' };
      if (!v.isWellFormed())
        return { field, reason: 'contains a lone UTF-16 surrogate, which is not Unicode text' };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_DEPTH) return { field, reason: `nests deeper than ${MAX_DEPTH} levels` };

    for (const [k, child] of Object.entries(v)) {
      if (k.includes('\u0000') || !k.isWellFormed())
        return { field, reason: 'has a key that is not storable text' };
      const childPath = Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      stack.push({ v: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}


/** Streams records through an adapter into investigations, de-duplicating by fingerprint. */
export async function ingestRecords(
  db: Db,
  adapter: IntakeAdapter,
  records: AsyncIterable<RecordItem> | Iterable<RecordItem>,
  opts: IngestOptions,
): Promise<IngestSummary> {
  const summary: IngestSummary = {
    accepted: 0,
    duplicates: 0,
    skipped: 0,
    rejected: 0,
    results: [],
  };
  const windowMs = (opts.dedupWindowHours ?? 24) * 3_600_000;

  for await (const item of records) {
    const result = await ingestOne(db, adapter, item, windowMs, opts.actor);
    count(summary, result, opts.keepAllResults ?? false);
    opts.onLine?.(result);
  }

  return summary;
}

async function ingestOne(
  db: Db,
  adapter: IntakeAdapter,
  item: RecordItem,
  windowMs: number,
  actor: Actor,
): Promise<LineResult> {
  if ('error' in item) {
    // Readers of JSON formats report JSON.parse's message; other readers bring their own code.
    return {
      line: item.line,
      status: 'rejected',
      code: item.code ?? 'BD_INTAKE_MALFORMED_JSON',
      field: item.field ?? null,
      reason: item.code ? item.error : `malformed JSON: ${item.error}`,
    };
  }

  const problem = storageProblem(item.record);
  if (problem !== null) {
    return {
      line: item.line,
      status: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: problem.field,
      reason: problem.reason,
    };
  }

  const receivedAt = new Date();
  const outcome = adapter.parse(item.record, receivedAt);
  if (outcome.kind === 'skipped')
    return { line: item.line, status: 'skipped', reason: outcome.reason };
  if (outcome.kind === 'rejected') {
    const { code, field, reason } = outcome;
    return { line: item.line, status: 'rejected', code, field, reason };
  }

  const year = new Date(outcome.signal.occurredAt).getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) {
    const reason = `timestamp ${outcome.signal.originalTimestamp} is outside ${MIN_YEAR}–${MAX_YEAR}`;
    return {
      line: item.line,
      status: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'timestamp',
      reason,
    };
  }

  const saved = await db.transaction((tx) =>
    saveSignal(tx, outcome.signal, receivedAt, windowMs, actor),
  );
  return { line: item.line, ...saved };
}

/** Stores one signal: a repeat inside the window counts on its open investigation. */
export async function saveSignal(
  tx: Tx,
  signal: NormalizedSignal,
  receivedAt: Date,
  windowMs: number,
  actor: Actor,
): Promise<{ status: 'accepted' | 'duplicate'; investigationId: string }> {
  // Two processes ingesting the same fingerprint at once must not both open an investigation.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${signal.fingerprint}))`);

  const at = new Date(signal.occurredAt).getTime();
  const [open] = await tx
    .select({ id: investigations.id })
    .from(investigations)
    .where(
      and(
        eq(investigations.fingerprint, signal.fingerprint),
        ne(investigations.stage, 'close'),
        gte(investigations.lastSeen, new Date(at - windowMs).toISOString()),
        lte(investigations.firstSeen, new Date(at + windowMs).toISOString()),
      ),
    )
    // Of several open matches, the one seen most recently is "the same thing happening again".
    .orderBy(desc(investigations.lastSeen), desc(investigations.id))
    .limit(1);

  const now = receivedAt.toISOString();
  const investigationId = open ? open.id : newId();
  if (open) {
    await tx
      .update(investigations)
      .set({
        signalCount: sql`${investigations.signalCount} + 1`,
        duplicateCount: sql`${investigations.duplicateCount} + 1`,
        firstSeen: sql`LEAST(${investigations.firstSeen}, ${signal.occurredAt})`,
        lastSeen: sql`GREATEST(${investigations.lastSeen}, ${signal.occurredAt})`,
        updatedAt: now,
      })
      .where(eq(investigations.id, open.id));
  } else {
    await tx.insert(investigations).values({
      id: investigationId,
      title: signal.title,
      stage: 'detect',
      sourceKind: signal.sourceKind,
      fingerprint: signal.fingerprint,
      exerciseId: signal.exerciseId,
      firstSeen: signal.occurredAt,
      lastSeen: signal.occurredAt,
      severity: signal.severity,
      openedAt: now,
      updatedAt: now,
    });
  }

  const signalId = newId();
  await tx.insert(signals).values({
    id: signalId,
    investigationId,
    duplicate: Boolean(open),
    format: signal.format,
    sourceKind: signal.sourceKind,
    sourceEventId: signal.sourceEventId,
    fingerprint: signal.fingerprint,
    occurredAt: signal.occurredAt,
    originalTimestamp: signal.originalTimestamp,
    receivedAt: now,
    title: signal.title,
    severity: signal.severity,
    host: signal.host,
    sourceIp: signal.sourceIp,
    destinationIp: signal.destinationIp,
    principal: signal.principal,
    raw: signal.raw,
  });

  await appendAudit(tx, {
    actor: actorLabel(actor),
    action: open ? 'signal.duplicate' : 'investigation.opened',
    entityType: 'investigation',
    entityId: investigationId,
    data: { signalId, format: signal.format, fingerprint: signal.fingerprint },
    at: receivedAt,
  });

  return { status: open ? 'duplicate' : 'accepted', investigationId };
}

function count(summary: IngestSummary, result: LineResult, keepAll: boolean): void {
  switch (result.status) {
    case 'accepted':
      summary.accepted += 1;
      break;
    case 'duplicate':
      summary.duplicates += 1;
      break;
    case 'skipped':
      summary.skipped += 1;
      break;
    case 'rejected':
      summary.rejected += 1;
      break;
  }
  if (keepAll || result.status === 'rejected') summary.results.push(result);
}
