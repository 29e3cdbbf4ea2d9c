/**
 * Stores a batch of parsed signals in one transaction: idempotency on (source, source event
 * id), suppression, correlation into investigations, then set-based writes (one statement per
 * table, arrays as parameters) and the audit entries. One intake lock per batch serialises
 * intake across processes, so two processes never open two investigations for one thing.
 */
import { createHash } from 'node:crypto';

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { sql } from 'drizzle-orm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { type AuditEvent, appendAuditBatch } from '../audit/log.ts';
import {
  chooseInvestigation,
  type CorrelationKey,
  correlationKeys,
  type CorrelationRule,
  type KeyMatch,
  keyId,
} from '../domain/correlation.ts';
import { matches, type MatchExpression } from '../domain/suppression.ts';
import type { NormalizedSignal } from '../domain/types.ts';
import type { Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { correlationKeys as keysTable, investigations, signals } from '../store/schema.ts';

// Any constant both processes agree on; distinct from the audit lock.
const INTAKE_LOCK = 0x1b_dd_17a4;

/** One parsed signal waiting to be stored, with where it came from. */
export interface PendingSignal {
  line: number;
  signal: NormalizedSignal;
  source: string;
  rule: CorrelationRule;
  tenantId: string | null;
  reporter: string | null;
  /** The investigation this signal joins whatever its keys and the window say (a follow-up). */
  joinInvestigation?: string;
  /** Called inside the transaction once the signal row exists (e.g. to keep attachments). */
  afterStore?: (
    tx: Tx,
    stored: { signalId: string; investigationId: string | null },
  ) => Promise<void>;
  /** What storing it needs from the signal alone; planSignal makes it while parsing. */
  plan?: SignalPlan;
}

/**
 * The part of storing a signal that depends on nothing but the signal: its idempotency key,
 * correlation keys, instant, and the columns of its row that no batch decision changes. Intake
 * works it out while the batch before is being stored, so the batch's transaction is shorter.
 */
export interface SignalPlan {
  eventKey: string | null;
  keys: CorrelationKey[];
  keyIds: string[];
  at: number;
  /**
   * The COPY text (UTF-8) of the row's columns after STORE_TIME_COLUMNS, with the line end. Bytes
   * rather than a string: it waits for its batch outside the JavaScript heap, which the garbage
   * collector would otherwise copy and mark again and again.
   */
  copyTail: Buffer;
}

export function planSignal(p: PendingSignal): SignalPlan {
  const { signal } = p;
  const keys = correlationKeys(signal, p.rule, p.tenantId).map((k) => boundedKey(k, signal));
  const f = copyField;
  // One template rather than an array joined: this runs for every line of every import.
  const copyTail =
    `${f(signal.format)}\t${f(p.source)}\t${f(signal.sourceKind)}\t` +
    `${f(signal.sourceEventId)}\t${f(signal.fingerprint)}\t${f(signal.occurredAt)}\t` +
    `${f(signal.originalTimestamp)}\t${f(signal.title)}\t${f(signal.severity)}\t` +
    `${f(signal.host)}\t${f(signal.sourceIp)}\t${f(signal.destinationIp)}\t` +
    `${f(signal.principal)}\t${f(p.tenantId)}\t${f(p.reporter)}\t${f(signal.exerciseId)}\t` +
    `${f(JSON.stringify(signal.observables ?? []))}\t${f(JSON.stringify(signal.raw ?? null))}\n`;
  return {
    eventKey: eventKeyOf(p),
    keys,
    keyIds: keys.map(keyId),
    at: Date.parse(signal.occurredAt),
    copyTail: Buffer.from(copyTail, 'utf8'),
  };
}

export type StoredResult =
  | { line: number; status: 'accepted'; investigationId: string; signalId: string; opened: boolean }
  | { line: number; status: 'duplicate'; investigationId: string; signalId: string }
  | { line: number; status: 'repeat'; investigationId: string | null }
  | { line: number; status: 'suppressed'; ruleId: string; signalId: string };

interface ActiveRule {
  id: string;
  match: MatchExpression;
}

/** A (source, event id) already stored: the row it has and whether a rule suppressed it. */
interface KnownEvent {
  signalId: string;
  investigationId: string | null;
  suppressedBy: string | null;
}

/** A suppressed signal sent again after its rule ended: its row now joins an investigation. */
interface LiftedRow {
  id: string;
  investigationId: string;
  duplicate: boolean;
  ruleId: string;
}

interface InvestigationChange {
  signals: number;
  duplicates: number;
  firstSeen: number;
  lastSeen: number;
}

/** A signal row to write: the pending signal and what this batch decided for it. */
interface SignalRow {
  pending: PendingSignal;
  plan: SignalPlan;
  id: string;
  investigationId: string | null;
  duplicate: boolean;
  suppressedBy: string | null;
}

/** Stores `batch` in order; returns one result per signal, in the same order. */
export async function storeBatch(
  tx: Tx,
  batch: PendingSignal[],
  actor: string,
  receivedAt: Date,
): Promise<StoredResult[]> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${INTAKE_LOCK})`);

  const now = receivedAt.toISOString();
  const plans = batch.map((p) => p.plan ?? planSignal(p));
  const seenEvents = await knownEvents(tx, batch);
  const rules = await activeRules(tx, now);
  const matchesByKey = await knownKeys(tx, batch, plans);
  const storedRanges = rangesOf(matchesByKey);

  const results: StoredResult[] = [];
  const newInvestigations: (typeof investigations.$inferInsert)[] = [];
  const changes = new Map<string, InvestigationChange>();
  const signalRows: SignalRow[] = [];
  const keyRows: ByKeyAndInvestigation<KeyMatch> = new Map();
  const lifted: LiftedRow[] = [];

  for (let i = 0; i < batch.length; i++) {
    const pending = batch[i] as PendingSignal;
    const plan = plans[i] as SignalPlan;
    const { eventKey } = plan;
    const known = eventKey === null ? undefined : seenEvents.get(eventKey);
    const rule = suppressingRule(rules, pending);
    // A repeat stays a repeat, except a signal suppressed by a rule that has since been revoked
    // or has expired: sent again, it is triaged now, or the revocation would never take effect
    // for the events that rule hid.
    const liftedFrom = known === undefined || rule ? null : liftedRule(known, rules);
    if (known !== undefined && liftedFrom === null) {
      const { investigationId } = known;
      results.push({ line: pending.line, status: 'repeat', investigationId });
      continue;
    }

    const signalId = known?.signalId ?? newId();
    if (rule) {
      signalRows.push({
        pending,
        plan,
        id: signalId,
        investigationId: null,
        duplicate: false,
        suppressedBy: rule.id,
      });
      if (eventKey !== null) {
        seenEvents.set(eventKey, { signalId, investigationId: null, suppressedBy: rule.id });
      }
      results.push({ line: pending.line, status: 'suppressed', ruleId: rule.id, signalId });
      continue;
    }

    const { keys, keyIds, at } = plan;
    const candidates =
      keyIds.length === 1
        ? (matchesByKey.get(keyIds[0] as string) ?? [])
        : keyIds.flatMap((id) => matchesByKey.get(id) ?? []);
    const found = chooseInvestigation(candidates, at, pending.rule.windowHours * 3_600_000);
    // A follow-up its thread ties to a report joins it however late (docs/intake-email.md).
    const join = pending.joinInvestigation;
    const chosen =
      join === undefined || found?.investigationId === join
        ? found
        : { investigationId: join, duplicate: false };

    const investigationId = chosen?.investigationId ?? newId();
    if (chosen === null) {
      newInvestigations.push(investigationRow(pending, investigationId, now));
    } else {
      const change = changes.get(investigationId);
      if (change === undefined) {
        const duplicates = chosen.duplicate ? 1 : 0;
        changes.set(investigationId, { signals: 1, duplicates, firstSeen: at, lastSeen: at });
      } else {
        change.signals += 1;
        change.duplicates += chosen.duplicate ? 1 : 0;
        change.firstSeen = Math.min(change.firstSeen, at);
        change.lastSeen = Math.max(change.lastSeen, at);
      }
    }

    // Later signals of this batch must see what this one established.
    for (let k = 0; k < keys.length; k++) {
      remember(
        matchesByKey,
        keyRows,
        keys[k] as CorrelationKey,
        keyIds[k] as string,
        investigationId,
        at,
      );
    }
    if (eventKey !== null) {
      seenEvents.set(eventKey, { signalId, investigationId, suppressedBy: null });
    }

    const duplicate = chosen?.duplicate ?? false;
    if (liftedFrom === null) {
      signalRows.push({
        pending,
        plan,
        id: signalId,
        investigationId,
        duplicate,
        suppressedBy: null,
      });
    } else {
      // The row (and what afterStore kept with it) exists: it is moved, not written again.
      lifted.push({ id: signalId, investigationId, duplicate, ruleId: liftedFrom });
    }
    results.push(
      duplicate
        ? { line: pending.line, status: 'duplicate', investigationId, signalId }
        : {
            line: pending.line,
            status: 'accepted',
            investigationId,
            signalId,
            opened: chosen === null,
          },
    );
  }

  await insertInvestigations(tx, newInvestigations);
  await updateInvestigations(tx, changes, now);
  await insertSignals(tx, signalRows, now);
  await liftSuppressed(tx, lifted);
  await upsertKeys(tx, widened(keyRows, storedRanges));
  for (const row of signalRows) {
    await row.pending.afterStore?.(tx, { signalId: row.id, investigationId: row.investigationId });
  }
  await audit(tx, actor, receivedAt, newInvestigations, signalRows, results, lifted);

  return results;
}

/** The first active rule that matches the signal; most imports meet no rules at all. */
function suppressingRule(rules: ActiveRule[], p: PendingSignal): ActiveRule | undefined {
  if (rules.length === 0) return undefined;

  const signal = { ...p.signal, source: p.source, tenantId: p.tenantId };
  return rules.find((r) => matches(r.match, signal));
}

/**
 * Key text over this many UTF-8 bytes is stored as its SHA-256 instead: correlation keys are
 * indexed, and PostgreSQL refuses an index entry over about 2.7 kB, which would stop the import.
 * Equal texts still give equal keys; only the stored key row no longer shows the text.
 */
const MAX_KEY_BYTES = 512;

// Text a key of real activity never starts with as it is: a sender's value that does is
// digested, so no host can pass for another's digest and no alert for an exercise.
const DIGEST_PREFIX = 'sha256:';
const EXERCISE_PREFIX = 'exercise:';

/**
 * A key as stored. Exercise signals live in a key space of their own, `exercise:` followed by
 * the JSON of [exercise id, distinguishing value] (JSON, so that no id and value can pass for
 * another pair); they never join real activity, nor real activity them.
 */
function boundedKey(key: CorrelationKey, signal: NormalizedSignal): CorrelationKey {
  const value = boundedText(key.value);
  const distinctKey =
    signal.exerciseId === null
      ? boundedText(key.distinctKey)
      : exerciseKey(JSON.stringify([signal.exerciseId, key.distinctKey]));
  return value === key.value && distinctKey === key.distinctKey
    ? key
    : { ...key, value, distinctKey };
}

function boundedText(text: string): string {
  if (fits(text) && !text.startsWith(DIGEST_PREFIX) && !text.startsWith(EXERCISE_PREFIX)) {
    return text;
  }
  return digest(text);
}

// `exercise:sha256:…` for a long one: a short one always goes on with `[`.
function exerciseKey(json: string): string {
  const text = `${EXERCISE_PREFIX}${json}`;
  return fits(text) ? text : `${EXERCISE_PREFIX}${digest(text)}`;
}

// Counting bytes only when the text could be over: most keys are short.
function fits(text: string): boolean {
  return text.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(text, 'utf8') <= MAX_KEY_BYTES;
}

function digest(text: string): string {
  return `${DIGEST_PREFIX}${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

function eventKeyOf(p: PendingSignal): string | null {
  return p.signal.sourceEventId === null ? null : `${p.source}\u0000${p.signal.sourceEventId}`;
}

/** (source, event id) pairs of this batch already stored, with their row. */
async function knownEvents(tx: Tx, batch: PendingSignal[]): Promise<Map<string, KnownEvent>> {
  const withIds = batch.filter((p) => p.signal.sourceEventId !== null);
  const known = new Map<string, KnownEvent>();
  if (withIds.length === 0) return known;

  const sources = sql.param(withIds.map((p) => p.source));
  const ids = sql.param(withIds.map((p) => p.signal.sourceEventId));
  const result: unknown = await tx.execute(sql`
    SELECT s.source, s.source_event_id AS "eventId", s.id AS "signalId",
      s.investigation_id AS "investigationId", s.suppressed_by AS "suppressedBy"
    FROM unnest(${sources}::text[], ${ids}::text[]) AS b(source, event_id)
    -- One index probe per event. As a plain join the planner may sort and scan the whole
    -- signals table for every batch, a cost that grows with everything ever received.
    CROSS JOIN LATERAL (
      SELECT id, source, source_event_id, investigation_id, suppressed_by FROM ${signals}
      -- Restates the unique index's predicate so that the planner can use it.
      WHERE source = b.source AND source_event_id = b.event_id AND source_event_id IS NOT NULL
      -- LIMIT keeps the planner from flattening this into a join (the index is unique, so
      -- it drops nothing).
      LIMIT 1
    ) s`);

  for (const row of rowsOf<KnownEvent & { source: string; eventId: string }>(result)) {
    const { signalId, investigationId, suppressedBy } = row;
    known.set(`${row.source}\u0000${row.eventId}`, { signalId, investigationId, suppressedBy });
  }
  return known;
}

/** The rule that suppressed `known` when that rule is no longer active, else null. */
function liftedRule(known: KnownEvent, active: ActiveRule[]): string | null {
  const ruleId = known.suppressedBy;
  if (ruleId === null || active.some((r) => r.id === ruleId)) return null;
  return ruleId;
}

async function activeRules(tx: Tx, now: string): Promise<ActiveRule[]> {
  const result: unknown = await tx.execute(sql`
    SELECT id, match FROM suppression_rules
    WHERE revoked_at IS NULL AND expires_at > ${now}
    ORDER BY created_at, id`);
  return rowsOf<{ id: string; match: unknown }>(result).map((r) => ({
    id: r.id,
    match: (typeof r.match === 'string' ? JSON.parse(r.match) : r.match) as MatchExpression,
  }));
}

/** Stored keys of open investigations that this batch's signals carry. */
async function knownKeys(
  tx: Tx,
  batch: PendingSignal[],
  plans: SignalPlan[],
): Promise<Map<string, KeyMatch[]>> {
  const byKey = new Map<string, KeyMatch[]>();
  const unique = new Map<string, CorrelationKey>();
  let earliest = Infinity;
  let latest = -Infinity;
  for (const plan of plans) {
    for (const [k, key] of plan.keys.entries()) unique.set(plan.keyIds[k] as string, key);
    earliest = Math.min(earliest, plan.at);
    latest = Math.max(latest, plan.at);
  }
  if (unique.size === 0) return byKey;

  let widest = 0;
  for (const p of batch) widest = Math.max(widest, p.rule.windowHours * 3_600_000);
  const from = new Date(earliest - widest).toISOString();
  const to = new Date(latest + widest).toISOString();

  const keys = [...unique.values()];
  const result: unknown = await tx.execute(sql`
    SELECT k.investigation_id AS "investigationId", k.kind, k.value,
      k.distinct_key AS "distinctKey", k.first_seen AS "firstSeen", k.last_seen AS "lastSeen"
    FROM unnest(${sql.param(keys.map((k) => k.kind))}::text[],
                ${sql.param(keys.map((k) => k.value))}::text[],
                ${sql.param(keys.map((k) => k.distinctKey))}::text[]) AS b(kind, value, dk)
    JOIN ${keysTable} k ON k.kind = b.kind AND k.value = b.value AND k.distinct_key = b.dk
    JOIN ${investigations} i ON i.id = k.investigation_id AND i.stage <> 'close'
    WHERE k.last_seen >= ${from} AND k.first_seen <= ${to}`);

  for (const row of rowsOf<Record<string, unknown>>(result)) {
    const match: KeyMatch = {
      investigationId: String(row.investigationId),
      kind: row.kind as KeyMatch['kind'],
      value: String(row.value),
      distinctKey: String(row.distinctKey),
      firstSeen: instantMs(row.firstSeen),
      lastSeen: instantMs(row.lastSeen),
    };
    const id = keyId(match);
    byKey.set(id, [...(byKey.get(id) ?? []), match]);
  }
  return byKey;
}

/**
 * Stored key ranges are kept to the quarter hour (first seen rounded down, last seen up), so a
 * key seen all day is rewritten about 100 times rather than once per signal. A window is
 * therefore measured to the quarter hour: a repeat up to 15 minutes beyond it may still join.
 */
const KEY_GRAIN_MS = 15 * 60_000;

function remember(
  byKey: Map<string, KeyMatch[]>,
  keyRows: ByKeyAndInvestigation<KeyMatch>,
  key: CorrelationKey,
  id: string,
  investigationId: string,
  at: number,
): void {
  const first = Math.floor(at / KEY_GRAIN_MS) * KEY_GRAIN_MS;
  const last = Math.ceil(at / KEY_GRAIN_MS) * KEY_GRAIN_MS;
  let rows = keyRows.get(id);
  if (rows === undefined) {
    rows = new Map();
    keyRows.set(id, rows);
  }
  const row = rows.get(investigationId);
  if (row === undefined) {
    rows.set(investigationId, { ...key, investigationId, firstSeen: first, lastSeen: last });
  } else {
    row.firstSeen = Math.min(row.firstSeen, first);
    row.lastSeen = Math.max(row.lastSeen, last);
  }

  const list = byKey.get(id) ?? [];
  const known = list.find((m) => m.investigationId === investigationId);
  if (known) {
    known.firstSeen = Math.min(known.firstSeen, at);
    known.lastSeen = Math.max(known.lastSeen, at);
  } else {
    list.push({ ...key, investigationId, firstSeen: at, lastSeen: at });
    byKey.set(id, list);
  }
}

/** Rows or ranges by key (keyId) and then by investigation: no joined text per lookup. */
type ByKeyAndInvestigation<T> = Map<string, Map<string, T>>;

interface Range {
  first: number;
  last: number;
}

/** The stored range of every key row found, before this batch changes anything. */
function rangesOf(byKey: Map<string, KeyMatch[]>): ByKeyAndInvestigation<Range> {
  const ranges: ByKeyAndInvestigation<Range> = new Map();
  for (const [id, list] of byKey) {
    const byInvestigation = new Map<string, Range>();
    for (const m of list) {
      byInvestigation.set(m.investigationId, { first: m.firstSeen, last: m.lastSeen });
    }
    ranges.set(id, byInvestigation);
  }
  return ranges;
}

/** The key rows that are new or reach beyond what is stored: only those are written. */
function widened(
  rows: ByKeyAndInvestigation<KeyMatch>,
  stored: ByKeyAndInvestigation<Range>,
): KeyMatch[] {
  const changed: KeyMatch[] = [];
  for (const [id, byInvestigation] of rows) {
    const ranges = stored.get(id);
    for (const [investigationId, r] of byInvestigation) {
      const range = ranges?.get(investigationId);
      if (range === undefined || r.firstSeen < range.first || r.lastSeen > range.last) {
        changed.push(r);
      }
    }
  }
  return changed;
}

function investigationRow(
  p: PendingSignal,
  id: string,
  now: string,
): typeof investigations.$inferInsert {
  return {
    id,
    title: p.signal.title,
    stage: 'detect',
    sourceKind: p.signal.sourceKind,
    fingerprint: p.signal.fingerprint,
    exerciseId: p.signal.exerciseId,
    firstSeen: p.signal.occurredAt,
    lastSeen: p.signal.occurredAt,
    severity: p.signal.severity,
    openedAt: now,
    updatedAt: now,
  };
}

async function insertInvestigations(
  tx: Tx,
  rows: (typeof investigations.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;

  const col = (pick: (r: typeof investigations.$inferInsert) => string | null | undefined) =>
    sql.param(rows.map((r) => pick(r) ?? null));
  await tx.execute(sql`
    INSERT INTO ${investigations} (id, title, stage, source_kind, fingerprint, exercise_id,
      first_seen, last_seen, severity, opened_at, updated_at)
    SELECT id, title, stage, source_kind, fingerprint, exercise_id, first_seen::timestamptz,
      last_seen::timestamptz, severity, opened_at::timestamptz, updated_at::timestamptz
    FROM unnest(${col((r) => r.id)}::text[], ${col((r) => r.title)}::text[],
      ${col((r) => r.stage)}::text[], ${col((r) => r.sourceKind)}::text[],
      ${col((r) => r.fingerprint)}::text[], ${col((r) => r.exerciseId)}::text[],
      ${col((r) => r.firstSeen)}::text[], ${col((r) => r.lastSeen)}::text[],
      ${col((r) => r.severity)}::text[], ${col((r) => r.openedAt)}::text[],
      ${col((r) => r.updatedAt)}::text[]) WITH ORDINALITY
      AS i(id, title, stage, source_kind, fingerprint, exercise_id, first_seen, last_seen,
        severity, opened_at, updated_at, n)
    -- Numbers follow the order investigations were opened in, as one-row inserts did.
    ORDER BY n`);
}

async function updateInvestigations(
  tx: Tx,
  changes: Map<string, InvestigationChange>,
  now: string,
): Promise<void> {
  if (changes.size === 0) return;

  const entries = [...changes.entries()];
  const col = <T>(pick: (c: InvestigationChange) => T) =>
    sql.param(entries.map(([, c]) => pick(c)));
  const iso = (ms: number) => new Date(ms).toISOString();
  await tx.execute(sql`
    UPDATE ${investigations} i
    SET signal_count = i.signal_count + c.signals,
      duplicate_count = i.duplicate_count + c.duplicates,
      first_seen = LEAST(i.first_seen, c.first_seen),
      last_seen = GREATEST(i.last_seen, c.last_seen),
      updated_at = ${now}
    FROM unnest(${sql.param(entries.map(([id]) => id))}::text[], ${col((c) => c.signals)}::int[],
                ${col((c) => c.duplicates)}::int[], ${col((c) => iso(c.firstSeen))}::timestamptz[],
                ${col((c) => iso(c.lastSeen))}::timestamptz[])
      AS c(id, signals, duplicates, first_seen, last_seen)
    WHERE i.id = c.id`);
}

/** Columns this batch decides (ids, correlation, suppression), written first in a COPY line. */
const STORE_TIME_COLUMNS = ['id', 'investigation_id', 'duplicate', 'received_at', 'suppressed_by'];

/** Columns that depend on the signal alone, in SignalPlan.copyTail's order. */
const PLANNED_COLUMNS = [
  'format',
  'source',
  'source_kind',
  'source_event_id',
  'fingerprint',
  'occurred_at',
  'original_timestamp',
  'title',
  'severity',
  'host',
  'source_ip',
  'destination_ip',
  'principal',
  'tenant_id',
  'reporter',
  'exercise_id',
  'observables',
  'raw',
];

const COPY_COLUMNS = [...STORE_TIME_COLUMNS, ...PLANNED_COLUMNS].join(', ');
const COPY_SIGNALS = `COPY signals (${COPY_COLUMNS}) FROM STDIN`;

/**
 * Writes the signal rows with `COPY … FROM STDIN`, the bulk path PostgreSQL is built for: on
 * a server streamed over the transaction's own connection, on PGlite handed over as one blob.
 * Both take the same text (copyLines), so the two backends store exactly the same rows.
 */
async function insertSignals(tx: Tx, rows: SignalRow[], now: string): Promise<void> {
  if (rows.length === 0) return;

  const client = clientOf(tx);
  // A node-postgres client, even one from another copy of the pg package, has a connection.
  if (client instanceof pg.Client || 'connection' in client) {
    const server = client as pg.PoolClient;
    await pipeline(Readable.from(copyLines(rows, now)), server.query(copyFrom(COPY_SIGNALS)));
    return;
  }
  const blob = new Blob([...copyLines(rows, now)]);
  await client.query(COPY_SIGNALS.replace('STDIN', "'/dev/blob'"), [], { blob });
}

/** What a PGlite transaction offers for COPY: a query that reads `/dev/blob` from a Blob. */
interface BlobQuery {
  query(text: string, params: unknown[], options: { blob: Blob }): Promise<unknown>;
}

/**
 * The connection a drizzle transaction runs on: drizzle keeps it as `session.client`, a pool
 * client checked out for the transaction on a server, PGlite's transaction object on PGlite.
 */
function clientOf(tx: Tx): pg.PoolClient | BlobQuery {
  const client = (tx as unknown as { session?: { client?: unknown } }).session?.client;
  if (typeof (client as BlobQuery | undefined)?.query !== 'function') {
    throw new Error('intake: the transaction exposes no database client to COPY through');
  }
  return client as pg.PoolClient | BlobQuery;
}

/**
 * One value in COPY text format: backslash, tab, newline and carriage return escaped; \N is
 * NULL. The benchmark's baseline writes its rows with it too.
 */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = textOf(value);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c);
}

// Rows go to the socket in chunks of about this many bytes: one write per row would cost more
// than the rows' own encoding.
const COPY_CHUNK = 256 * 1024;

function* copyLines(rows: SignalRow[], now: string): Generator<Buffer> {
  const received = copyField(now);
  let chunk = Buffer.allocUnsafe(COPY_CHUNK);
  let size = 0;
  for (const r of rows) {
    const head =
      `${copyField(r.id)}\t${copyField(r.investigationId)}\t${r.duplicate ? 't' : 'f'}\t` +
      `${received}\t${copyField(r.suppressedBy)}\t`;
    const tail = r.plan.copyTail;
    // A head is at most a few hundred bytes; a row longer than a chunk goes out on its own.
    const need = Buffer.byteLength(head, 'utf8') + tail.length;
    if (size > 0 && size + need > chunk.length) {
      yield chunk.subarray(0, size);
      chunk = Buffer.allocUnsafe(COPY_CHUNK);
      size = 0;
    }
    if (need > chunk.length) chunk = Buffer.allocUnsafe(need);
    size += chunk.write(head, size, 'utf8');
    size += tail.copy(chunk, size);
  }
  if (size > 0) yield chunk.subarray(0, size);
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A column value as text: strings as they are, numbers and booleans printed, dates in ISO. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return value.toString();
  }
  return value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? '');
}

const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

async function liftSuppressed(tx: Tx, rows: LiftedRow[]): Promise<void> {
  if (rows.length === 0) return;

  const col = <T>(pick: (r: LiftedRow) => T) => sql.param(rows.map(pick));
  await tx.execute(sql`
    UPDATE ${signals} s
    SET investigation_id = l.investigation_id, duplicate = l.duplicate, suppressed_by = NULL
    FROM unnest(${col((r) => r.id)}::text[], ${col((r) => r.investigationId)}::text[],
                ${col((r) => r.duplicate)}::boolean[]) AS l(id, investigation_id, duplicate)
    WHERE s.id = l.id`);
}

async function upsertKeys(tx: Tx, rows: KeyMatch[]): Promise<void> {
  if (rows.length === 0) return;

  const col = (pick: (r: KeyMatch) => string) => sql.param(rows.map(pick));
  const iso = (ms: number) => new Date(ms).toISOString();
  await tx.execute(sql`
    INSERT INTO ${keysTable} (investigation_id, kind, value, distinct_key, first_seen, last_seen)
    SELECT investigation_id, kind, value, dk, first_seen::timestamptz, last_seen::timestamptz
    FROM unnest(${col((r) => r.investigationId)}::text[], ${col((r) => r.kind)}::text[],
      ${col((r) => r.value)}::text[], ${col((r) => r.distinctKey)}::text[],
      ${col((r) => iso(r.firstSeen))}::text[], ${col((r) => iso(r.lastSeen))}::text[])
      AS k(investigation_id, kind, value, dk, first_seen, last_seen)
    ON CONFLICT (kind, value, distinct_key, investigation_id) DO UPDATE
    SET first_seen = LEAST(${keysTable.firstSeen}, excluded.first_seen),
      last_seen = GREATEST(${keysTable.lastSeen}, excluded.last_seen)`);
}

/**
 * Each opened investigation is audited on its own; the batch's signals in one entry that
 * counts them and carries a SHA-256 over their ids and fingerprints, so a signal row deleted
 * later no longer matches the audited digest.
 */
async function audit(
  tx: Tx,
  actor: string,
  at: Date,
  opened: (typeof investigations.$inferInsert)[],
  rows: SignalRow[],
  results: StoredResult[],
  lifted: LiftedRow[],
): Promise<void> {
  const events: AuditEvent[] = opened.map((investigation) => ({
    actor,
    action: 'investigation.opened',
    entityType: 'investigation',
    entityId: investigation.id,
    data: { fingerprint: investigation.fingerprint, sourceKind: investigation.sourceKind },
    at,
  }));
  for (const row of lifted) {
    events.push({
      actor,
      action: 'signal.unsuppressed',
      entityType: 'signal',
      entityId: row.id,
      data: { ruleId: row.ruleId, investigationId: row.investigationId, duplicate: row.duplicate },
      at,
    });
  }
  if (rows.length === 0) {
    await appendAuditBatch(tx, events);
    return;
  }

  const digest = createHash('sha256');
  for (const r of rows) {
    const { fingerprint } = r.pending.signal;
    digest.update(`${r.id}\u0000${fingerprint}\u0000${r.investigationId ?? ''}\n`);
  }
  const tally = (status: StoredResult['status']) =>
    results.filter((r) => r.status === status).length;
  events.push({
    actor,
    action: 'signals.received',
    entityType: 'intake',
    entityId: rows[0]?.id ?? '',
    data: {
      stored: rows.length,
      firstSignalId: rows[0]?.id,
      lastSignalId: rows.at(-1)?.id,
      accepted: tally('accepted'),
      duplicates: tally('duplicate'),
      suppressed: tally('suppressed'),
      repeats: tally('repeat'),
      sha256: digest.digest('hex'),
    },
    at,
  });
  await appendAuditBatch(tx, events);
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

function instantMs(value: unknown): number {
  return value instanceof Date ? value.getTime() : Date.parse(String(value));
}
