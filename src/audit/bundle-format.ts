/**
 * The audit bundle: an NDJSON file an auditor can check with no database, line by line
 * (docs/audit.md). A header, one line per entry, the chain anchors that fall in the range,
 * and a trailer whose SHA-256 covers every byte before it, so a file cut short is noticed.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Anchor } from './anchors.ts';
import type { AuditEntry, ChainLink } from './chain.ts';

export const BUNDLE_FORMAT = 'breachdesk-audit-bundle';
export const BUNDLE_VERSION = 1;

export interface BundleHeader {
  exportedAt: string;
  range: { from: string | null; to: string | null };
  count: number;
  /** The entry the first exported one follows (seq 0 and the genesis hash from the start). */
  prev: ChainLink;
}

export interface BundleEnd {
  count: number;
  last: ChainLink;
  /** Hex SHA-256 of every byte of the file before the trailer line. */
  sha256: string;
}

export function headerLine(h: BundleHeader): string {
  return line({
    kind: 'header',
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    product: 'breachdesk',
    exportedAt: h.exportedAt,
    range: h.range,
    count: h.count,
    prevSeq: h.prev.seq,
    prevHash: h.prev.hash,
  });
}

export function entryLine(e: AuditEntry): string {
  return line({
    kind: 'entry',
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    data: e.data,
    prevHash: e.prevHash,
    hash: e.hash,
  });
}

/** The same line as in the anchor file. */
export function anchorLine(a: Anchor): string {
  return line({ kind: 'anchor', seq: a.seq, hash: a.hash, at: a.at });
}

export function endLine(e: BundleEnd): string {
  return line({
    kind: 'end',
    count: e.count,
    lastSeq: e.last.seq,
    lastHash: e.last.hash,
    sha256: e.sha256,
  });
}

function line(value: object): string {
  return `${JSON.stringify(value)}\n`;
}

/** Hashes the lines written before the trailer, exactly as they are written. */
export class BundleDigest {
  readonly #hash: Hash = createHash('sha256');

  update(text: string | Uint8Array): void {
    this.#hash.update(text);
  }

  /** The digest so far; more can still be added. */
  hex(): string {
    return this.#hash.copy().digest('hex');
  }
}
