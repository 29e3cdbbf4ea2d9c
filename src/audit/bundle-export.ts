/**
 * Writes the audit bundle for a time range from the database (format in bundle-format.ts).
 * The file appears whole or not at all, readable by its owner only (src/store/out-file.ts).
 */
import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Conn, Db } from '../store/db.ts';
import { assertOutFree, type OutFileOptions, writeOutFile } from '../store/out-file.ts';
import { auditLog } from '../store/schema.ts';
import type { Anchor } from './anchors.ts';
import { anchorLine, BundleDigest, endLine, entryLine, headerLine } from './bundle-format.ts';
import { type ChainLink, GENESIS_HASH } from './chain.ts';

export interface ExportRange {
  /** ISO instants (UTC, milliseconds), inclusive; null for an open end. */
  from: string | null;
  to: string | null;
}

export interface ExportOptions {
  out: string;
  range: ExportRange;
  /** Replace an existing file at `out`. */
  force: boolean;
  /** The anchor file's anchors, read before the entries so that none names a later entry. */
  anchors: readonly Anchor[];
  now: Date;
}

export interface ExportSummary {
  out: string;
  count: number;
  prev: ChainLink;
  last: ChainLink;
  anchors: number;
  sha256: string;
}

/** What an export writes, for the messages about --out. */
export const BUNDLE = 'the bundle';

// Entries are read this many at a time, so a long log never sits in memory whole.
const PAGE = 5_000;

/**
 * Exports the entries whose time lies in the range as one unbroken stretch of the chain: from
 * the first entry at or after `from` to the last at or before `to`, with every entry between
 * (an entry stamped slightly out of order stays in, or the stretch could not be checked).
 * Anchors go in from the entry before the stretch on, and past its end when `to` is open, so
 * a log that lost its tail exports as a bundle that says so.
 */
export async function exportAuditBundle(db: Db, opts: ExportOptions): Promise<ExportSummary> {
  const outFile: OutFileOptions = { what: BUNDLE, force: opts.force };
  await assertOutFree(opts.out, outFile);

  // One snapshot for the whole file: counts, links and entries agree with each other.
  return db.transaction(
    async (tx) => {
      const { prev, last, count } = await stretchOf(tx, opts.range);
      const anchors = opts.anchors.filter(
        (a) => a.seq >= Math.max(prev.seq, 1) && (opts.range.to === null || a.seq <= last),
      );

      return writeOutFile(opts.out, outFile, async (write) => {
        const digest = new BundleDigest();
        const put = async (text: string) => {
          digest.update(text);
          await write(text);
        };

        const exportedAt = opts.now.toISOString();
        await put(headerLine({ exportedAt, range: opts.range, count, prev }));
        let tail = prev;
        for (let seq = prev.seq + 1; seq <= last; seq += PAGE) {
          const upTo = Math.min(seq + PAGE - 1, last);
          const rows = await tx
            .select()
            .from(auditLog)
            .where(and(gte(auditLog.seq, seq), lte(auditLog.seq, upTo)))
            .orderBy(asc(auditLog.seq));
          await put(rows.map(entryLine).join(''));
          const end = rows.at(-1);
          if (end) tail = { seq: end.seq, hash: end.hash };
        }
        await put(anchors.map(anchorLine).join(''));

        const sha256 = digest.hex();
        await write(endLine({ count, last: tail, sha256 }));
        return { out: opts.out, count, prev, last: tail, anchors: anchors.length, sha256 };
      });
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** The entry before the stretch, the stretch's last seq and how many entries it holds. */
async function stretchOf(tx: Conn, range: ExportRange) {
  const seq = sql<number | null>`min(${auditLog.seq})`.mapWith(Number);
  const maxSeq = sql<number | null>`max(${auditLog.seq})`.mapWith(Number);
  const [firstRow] = await tx
    .select({ seq })
    .from(auditLog)
    .where(range.from === null ? undefined : gte(auditLog.at, range.from));
  const [lastRow] = await tx
    .select({ seq: maxSeq })
    .from(auditLog)
    .where(range.to === null ? undefined : lte(auditLog.at, range.to));
  const [endRow] = await tx.select({ seq: maxSeq }).from(auditLog);

  const first = firstRow?.seq ?? null;
  const last = lastRow?.seq ?? null;
  if (first === null || last === null || first > last) {
    // Nothing in range: the bundle still says where in the chain the range falls.
    const prevSeq = first !== null ? first - 1 : (endRow?.seq ?? 0);
    return { prev: await linkAt(tx, prevSeq), last: prevSeq, count: 0 };
  }

  const [counted] = await tx
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(auditLog)
    .where(and(gte(auditLog.seq, first), lte(auditLog.seq, last)));
  return { prev: await linkAt(tx, first - 1), last, count: counted?.n ?? 0 };
}

// A missing entry before the stretch leaves the genesis hash as the link, so the bundle's
// first entry fails to link and the bundle shows the gap rather than hiding it.
async function linkAt(tx: Conn, seq: number): Promise<ChainLink> {
  if (seq < 1) return { seq: 0, hash: GENESIS_HASH };

  const [row] = await tx
    .select({ hash: auditLog.hash })
    .from(auditLog)
    .where(eq(auditLog.seq, seq));
  return { seq, hash: row?.hash ?? GENESIS_HASH };
}
