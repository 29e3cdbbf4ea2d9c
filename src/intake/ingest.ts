/**
 * Takes parsed records into the database. Each line is checked on its own, so a rejected line
 * never stops the lines after it and never leaves anything behind; the signals that pass are
 * stored in batches, one transaction each (store-batch.ts).
 */
import type { Logger } from 'pino';

import { type Actor, actorLabel } from '../auth/actor.ts';
import type { NormalizedSignal } from '../domain/types.ts';
import { lineBreakOrControlIn, oneLine } from '../domain/visible-text.ts';
import type { Db } from '../store/db.ts';
import { type CorrelationConfig, refingerprint, ruleFor } from './correlation-config.ts';
import { holdHeapBudget } from './heap-budget.ts';
import type { IntakeAdapter } from './outcome.ts';
import type { RecordItem } from './records.ts';
import { outsideSignalYears } from './timestamp.ts';
import { type PendingSignal, planSignal, type StoredResult, storeBatch } from './store-batch.ts';

export type LineResult =
  | { line: number; status: 'accepted'; investigationId: string; opened: boolean }
  | { line: number; status: 'duplicate'; investigationId: string }
  | { line: number; status: 'repeat'; investigationId: string | null }
  | { line: number; status: 'suppressed'; ruleId: string }
  | { line: number; status: 'skipped'; reason: string }
  | { line: number; status: 'rejected'; code: string; field: string | null; reason: string };

export interface IngestSummary {
  /** Stored as new signals: each opened an investigation or joined a related one. */
  accepted: number;
  /** The same thing again (same fingerprint inside the window): stored and counted. */
  duplicates: number;
  /** The same event sent again (same source and event id): nothing stored. */
  repeats: number;
  /** Matched a suppression rule: stored and counted, paged no one. */
  suppressed: number;
  skipped: number;
  rejected: number;
  results: LineResult[];
}

export interface IngestOptions {
  actor: Actor;
  /** How close in time a repeat must be to count as the same thing (default 24 h). */
  dedupWindowHours?: number;
  /** Correlation per source; absent: fingerprint de-duplication only. */
  correlation?: CorrelationConfig;
  /** The sender's name, part of the idempotency key (default: the format). */
  source?: string;
  /** For reports made on a tenant's behalf (customer reports). */
  tenantId?: string | null;
  /** Who reported it (internal, customer and escalation reports). */
  reporter?: string | null;
  /** Signals stored per transaction (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Where a failed batch is reported before it is retried in halves. */
  log?: Logger;
  /** Called after each line, for progress reporting. */
  onLine?: (result: LineResult) => void;
  /** Keep per-line results for accepted and duplicate lines too (rejections are always kept). */
  keepAllResults?: boolean;
  /** Every record joins this investigation, however late (an e-mail follow-up, one a call). */
  joinInvestigation?: string;
}

/**
 * Signals per transaction. Each batch costs a fixed handful of statements (lock, lookups,
 * counts, keys, audit) whose work grows with the investigations and keys it touches, not with
 * its signals, so larger batches are faster: 2,000 → 10,000 took 200,000 alerts from 11,000 to
 * 18,600 a second. Two batches of parsed alerts are in memory at once (one storing, one
 * parsing); with the heap budget (heap-budget.ts) a 1 GB import peaks at 238–244 MB at this size
 * (docs/benchmarks.md). bench/ingest and bench ingest-1gb measure both sides.
 */
export const DEFAULT_BATCH_SIZE = 10_000;

// Deeper nesting than any sender format uses; it would only exhaust the stack later.
const MAX_DEPTH = 64;

/** The longest event id kept (UTF-8 bytes): far above any sender's, far below the index limit. */
export const MAX_EVENT_ID_BYTES = 1024;

/**
 * What would stop a record from being stored as evidence: nesting beyond MAX_DEPTH, a NUL
 * character (PostgreSQL text cannot hold U+0000) or a lone UTF-16 surrogate (not Unicode).
 * Of several, the first in the record's own order is named.
 */
export function storageProblem(value: unknown): { field: string | null; reason: string } | null {
  const found = problemIn(value, 0);
  if (found === null) return null;
  return { field: fieldPath(found.path.reverse()), reason: found.reason };
}

/**
 * The first problem in `value`, depth first. Its path is collected innermost first while the
 * search unwinds, so a record with no problem (nearly all of them) builds no path text.
 */
function problemIn(
  v: unknown,
  depth: number,
): { path: (string | number)[]; reason: string } | null {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) {
      return { path: [], reason: 'contains a NUL character (U+0000), which cannot be stored' };
    }
    if (!v.isWellFormed()) {
      return { path: [], reason: 'contains a lone UTF-16 surrogate, which is not Unicode text' };
    }
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  if (depth >= MAX_DEPTH) return { path: [], reason: `nests deeper than ${MAX_DEPTH} levels` };

  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = problemIn(v[i], depth + 1);
      if (found !== null) {
        found.path.push(i);
        return found;
      }
    }
    return null;
  }
  for (const key of Object.keys(v)) {
    if (key.includes('\u0000') || !key.isWellFormed()) {
      return { path: [], reason: 'has a key that is not storable text' };
    }
    const found = problemIn((v as Record<string, unknown>)[key], depth + 1);
    if (found !== null) {
      found.path.push(key);
      return found;
    }
  }
  return null;
}

/** `a.b[2].c` from its parts; null for the record itself. */
function fieldPath(parts: (string | number)[]): string | null {
  let path = '';
  for (const part of parts) {
    path += typeof part === 'number' ? `[${part}]` : path ? `.${part}` : part;
  }
  return path || null;
}

export function emptySummary(): IngestSummary {
  return {
    accepted: 0,
    duplicates: 0,
    repeats: 0,
    suppressed: 0,
    skipped: 0,
    rejected: 0,
    results: [],
  };
}

/** Adds the counts and kept results of `part` to `into`. */
export function addSummary(into: IngestSummary, part: IngestSummary): void {
  into.accepted += part.accepted;
  into.duplicates += part.duplicates;
  into.repeats += part.repeats;
  into.suppressed += part.suppressed;
  into.skipped += part.skipped;
  into.rejected += part.rejected;
  into.results.push(...part.results);
}

/**
 * Streams records through an adapter into investigations. Lines are parsed one by one (a bad
 * line is rejected on its own) and the parsed signals stored in batches, each in one
 * transaction (store-batch.ts). Results come back in line order.
 */
export async function ingestRecords(
  db: Db,
  adapter: IntakeAdapter,
  records: AsyncIterable<RecordItem> | Iterable<RecordItem>,
  opts: IngestOptions,
): Promise<IngestSummary> {
  const summary = emptySummary();
  const keepAll = opts.keepAllResults ?? false;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const actor = actorLabel(opts.actor);
  const report = (result: LineResult) => {
    count(summary, result, keepAll);
    opts.onLine?.(result);
  };

  // While one batch is being stored, the next is read and parsed: the database and the
  // parsing overlap. Batches still commit strictly in order, each after the one before.
  let batch: PendingSignal[] = [];
  let storing: Promise<void> = Promise.resolve();
  const flush = async (full: PendingSignal[]) => {
    await storing;
    storing = store(db, full, actor, opts.log).then((results) => {
      results.forEach(report);
      holdHeapBudget();
    });
    // Its failure is taken up when it is next awaited; until then (the next batch is still being
    // read) it must not count as unhandled, which would end the process instead of the import.
    storing.catch(() => undefined);
  };

  try {
    for await (const item of records) {
      const prepared = prepare(adapter, item, opts);
      if ('status' in prepared) {
        report(prepared);
        continue;
      }
      batch.push(prepared);
      if (batch.length >= batchSize) {
        await flush(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await flush(batch);
  } catch (error) {
    // Reading or parsing failed: the batch before may still be storing. It finishes (or fails)
    // before this error goes up, so nothing is left running unwatched.
    await storing.catch(() => undefined);
    throw error;
  }
  await storing;

  summary.results.sort((a, b) => a.line - b.line);
  return summary;
}

/** Parses one record into a signal ready to store, or the line's final result. */
function prepare(
  adapter: IntakeAdapter,
  item: RecordItem,
  opts: IngestOptions,
): PendingSignal | LineResult {
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

  const outcome = adapter.parse(item.record, new Date());
  if (outcome.kind === 'skipped') {
    return { line: item.line, status: 'skipped', reason: outcome.reason };
  }
  if (outcome.kind === 'rejected') {
    const { code, field, reason } = outcome;
    return { line: item.line, status: 'rejected', code, field, reason };
  }

  // Adapters refuse such times naming their own field (timestamp.ts); this is the safety net
  // for one that does not, since PostgreSQL cannot do the window arithmetic near years 1 or 9999.
  const range = outsideSignalYears(new Date(outcome.signal.occurredAt));
  if (range !== null) {
    return {
      line: item.line,
      status: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'occurredAt',
      reason: `occurredAt ${outcome.signal.originalTimestamp} ${range}`,
    };
  }

  // The event id is indexed with its source; PostgreSQL refuses an index entry over about 2.7 kB,
  // and that refusal would stop the whole import rather than this one line.
  const eventId = outcome.signal.sourceEventId;
  const idBytes = eventId === null ? 0 : Buffer.byteLength(eventId, 'utf8');
  if (idBytes > MAX_EVENT_ID_BYTES) {
    return {
      line: item.line,
      status: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'sourceEventId',
      reason:
        `the sender's event id is ${idBytes} bytes long; ` +
        `at most ${MAX_EVENT_ID_BYTES} are accepted`,
    };
  }

  const source = opts.source ?? adapter.format;
  const rule = ruleFor(opts.correlation, source, opts.dedupWindowHours);
  const parsed = withOneLineTitle(outcome.signal);
  const signal = rule.fingerprintKeys === null ? parsed : refingerprint(parsed, rule);
  const pending: PendingSignal = {
    line: item.line,
    signal,
    source,
    rule,
    tenantId: opts.tenantId ?? null,
    reporter: opts.reporter ?? null,
    joinInvestigation: opts.joinInvestigation,
    afterStore: adapter.afterStore
      ? (tx, stored) => adapter.afterStore?.(tx, stored, signal) ?? Promise.resolve()
      : undefined,
  };
  // Worked out now, while the batch before is being stored, not inside this one's transaction.
  pending.plan = planSignal(pending);
  // The row text now holds the record as received; without an afterStore that reads it, the
  // parsed record need not wait for its batch, where the collector would copy it twice over.
  if (!adapter.afterStore) pending.signal = { ...signal, raw: null };
  return pending;
}

/**
 * An alert's title shown in lists and notices stays on one line: line breaks, controls and bidi
 * overrides a sender put in it become spaces (the raw record keeps them). Reports by people are
 * refused instead (reports.ts), since their author can fix the title.
 */
function withOneLineTitle(signal: NormalizedSignal): NormalizedSignal {
  if (lineBreakOrControlIn(signal.title) === null) return signal;
  return { ...signal, title: oneLine(signal.title) || 'untitled alert' };
}

/**
 * Stores a batch. Should the batch's transaction fail, its two halves are retried, each in its
 * own, and so on down to single signals: one unstorable signal cannot take its neighbours down,
 * and finding it costs a few dozen transactions, not one per line of a 10,000-line batch. A
 * failure of a single signal (the database is gone) propagates.
 */
async function store(
  db: Db,
  batch: PendingSignal[],
  actor: string,
  log?: Logger,
): Promise<LineResult[]> {
  try {
    return toLineResults(await db.transaction((tx) => storeBatch(tx, batch, actor, new Date())));
  } catch (error) {
    if (batch.length === 1) throw error;
    log?.warn({ err: error, lines: batch.length }, 'intake batch failed; storing it in halves');
  }

  const half = Math.ceil(batch.length / 2);
  const first = await store(db, batch.slice(0, half), actor, log);
  return [...first, ...(await store(db, batch.slice(half), actor, log))];
}

function toLineResults(stored: StoredResult[]): LineResult[] {
  return stored.map((r): LineResult => {
    switch (r.status) {
      case 'accepted':
        return {
          line: r.line,
          status: 'accepted',
          investigationId: r.investigationId,
          opened: r.opened,
        };
      case 'duplicate':
        return { line: r.line, status: 'duplicate', investigationId: r.investigationId };
      case 'repeat':
        return r;
      case 'suppressed':
        return { line: r.line, status: 'suppressed', ruleId: r.ruleId };
    }
  });
}

function count(summary: IngestSummary, result: LineResult, keepAll: boolean): void {
  switch (result.status) {
    case 'accepted':
      summary.accepted += 1;
      break;
    case 'duplicate':
      summary.duplicates += 1;
      break;
    case 'repeat':
      summary.repeats += 1;
      break;
    case 'suppressed':
      summary.suppressed += 1;
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
