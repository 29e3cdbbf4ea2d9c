/**
 * The audit log's hash chain, as pure functions: each entry's hash covers its own fields and
 * the previous entry's hash, so editing, deleting or reordering any row breaks the chain at
 * that row. Anyone can re-check it from the rows alone.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  /** Canonical JSON text of the entry's details. */
  data: string;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth, so the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;

  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** The hash an entry must carry, given the hash of the entry before it. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson([
    entry.seq,
    entry.at,
    entry.actor,
    entry.action,
    entry.entityType,
    entry.entityId,
    entry.data,
    entry.prevHash,
  ]);
  return createHash('sha256').update(body).digest('hex');
}

export type ChainVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** The entry a stretch of the chain follows: seq 0 and the genesis hash for a whole log. */
export interface ChainLink {
  seq: number;
  hash: string;
}

/**
 * Checks entries in the order given (ascending seq, as stored). With `start`, the entries are
 * a stretch that must follow that entry directly (the stretch since a chain anchor).
 */
export function verifyChain(entries: Iterable<AuditEntry>, start?: ChainLink): ChainVerdict {
  let prev = start?.hash ?? GENESIS_HASH;
  let expectedSeq: number | null = start ? start.seq + 1 : null;
  let count = 0;

  for (const e of entries) {
    count += 1;
    if (expectedSeq !== null && e.seq !== expectedSeq) {
      return broken(count, e.seq, `sequence jumps from ${expectedSeq - 1} to ${e.seq}`);
    }
    if (e.prevHash !== prev) {
      return broken(count, e.seq, 'previous-hash link does not match the entry before it');
    }
    if (entryHash(e) !== e.hash) {
      return broken(count, e.seq, 'content does not match its hash (the entry was edited)');
    }
    prev = e.hash;
    expectedSeq = e.seq + 1;
  }

  return { ok: true, entries: count, head: prev };
}

function broken(entries: number, seq: number, reason: string): ChainVerdict {
  return { ok: false, entries, brokenAt: seq, reason };
}
