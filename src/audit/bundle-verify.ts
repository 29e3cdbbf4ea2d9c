/**
 * Checks an audit bundle with nothing but its bytes: no database, no settings. Reads it as a
 * stream, line by line, and stops at the first line that does not hold, naming the line and
 * the first entry that can no longer be vouched for.
 */
import { z } from 'zod';
import { fail } from '../domain/errors.ts';
import { ANCHOR_SCHEMA } from './anchors.ts';
import {
  anchorLine,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BundleDigest,
  endLine,
  entryLine,
  headerLine,
} from './bundle-format.ts';
import { type ChainLink, entryHash } from './chain.ts';
import { HashList, linesOf } from './bundle-lines.ts';

const HASH = z.string().regex(/^[0-9a-f]{64}$/);
const SEQ = z.number().int().nonnegative();

const HEADER_SCHEMA = z.object({
  exportedAt: z.string(),
  range: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  count: SEQ,
  prevSeq: SEQ,
  prevHash: HASH,
});
const ENTRY_SCHEMA = z.object({
  seq: SEQ,
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  data: z.string(),
  prevHash: HASH,
  hash: HASH,
});
const END_SCHEMA = z.object({ count: SEQ, lastSeq: SEQ, lastHash: HASH, sha256: HASH });

type Header = z.infer<typeof HEADER_SCHEMA>;

export type BundleVerdict =
  | {
      ok: true;
      entries: number;
      anchors: number;
      prev: ChainLink;
      last: ChainLink;
      exportedAt: string;
      range: Header['range'];
    }
  | {
      ok: false;
      /** Entries verified before the failure. */
      entries: number;
      /** The 1-based line where the check failed. */
      line: number;
      /** The first entry that can no longer be vouched for; null when no entry is in doubt. */
      seq: number | null;
      reason: string;
    };

class Broken {
  constructor(
    readonly seq: number | null,
    readonly reason: string,
  ) {}
}

/**
 * Verifies a bundle read from `chunks` (a file stream). Resolves to a verdict; throws
 * BD_FILE_UNREADABLE only when the input is not an audit bundle at all (empty, no header,
 * another format, or a version this program does not read).
 */
export async function verifyBundle(chunks: AsyncIterable<Uint8Array>): Promise<BundleVerdict> {
  const digest = new BundleDigest();
  const hashes = new HashList();
  let header: Header | null = null;
  let tail: ChainLink = { seq: 0, hash: '' };
  let stage: 'entries' | 'anchors' | 'done' = 'entries';
  let anchors = 0;
  let lineNo = 0;

  const nextSeq = () => (header && hashes.length < header.count ? tail.seq + 1 : null);
  const outcome = (b: Broken): BundleVerdict => ({
    ok: false,
    entries: hashes.length,
    line: lineNo,
    seq: b.seq,
    reason: b.reason,
  });

  for await (const { bytes } of linesOf(chunks)) {
    lineNo += 1;
    const value = parseLine(bytes);
    if (header === null) {
      const read = readHeader(value);
      if (read instanceof Broken) return outcome(read);
      const prev = { seq: read.prevSeq, hash: read.prevHash };
      if (!asWritten(bytes, headerLine({ ...read, prev }))) return outcome(altered(null));
      header = read;
      tail = { seq: header.prevSeq, hash: header.prevHash };
      digest.update(bytes);
      continue;
    }
    if (stage === 'done') {
      if (bytes.length === 1) continue;
      return outcome(new Broken(null, 'there is text after the trailer line'));
    }

    const kind = (value as { kind?: unknown } | undefined)?.kind;
    let problem: Broken | null;
    if (value === undefined) {
      problem = new Broken(nextSeq(), 'the line is not JSON (the file was cut or edited)');
    } else if (kind === 'entry' && stage === 'entries') {
      problem = checkEntry(value, tail, bytes);
      if (problem === null) {
        const entry = value as { seq: number; hash: string };
        hashes.push(entry.hash);
        tail = { seq: entry.seq, hash: entry.hash };
      }
    } else if (kind === 'anchor') {
      stage = 'anchors';
      anchors += 1;
      problem = checkAnchor(value, header, tail, hashes, bytes);
    } else if (kind === 'end') {
      stage = 'done';
      problem = checkEnd(value, header, hashes.length, tail, digest.hex(), nextSeq(), bytes);
    } else {
      problem = new Broken(nextSeq(), `a line of kind ${JSON.stringify(kind)} is out of place`);
    }
    if (problem) return outcome(problem);
    if (stage !== 'done') digest.update(bytes);
  }

  if (header === null) fail('BD_FILE_UNREADABLE', 'the file is empty, not an audit bundle');
  if (stage !== 'done') {
    lineNo += 1;
    const reason = `the file ends without its trailer line: it was cut after line ${lineNo - 1}`;
    return outcome(new Broken(nextSeq(), reason));
  }
  const { exportedAt, range } = header;
  const prev = { seq: header.prevSeq, hash: header.prevHash };
  return { ok: true, entries: hashes.length, anchors, prev, last: tail, exportedAt, range };
}

function parseLine(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function readHeader(value: unknown): Header | Broken {
  const v = (value ?? {}) as { kind?: unknown; format?: unknown; version?: unknown };
  if (v.kind === 'entry' || v.kind === 'anchor' || v.kind === 'end') {
    return new Broken(null, 'the header line is missing');
  }
  if (v.kind !== 'header' || v.format !== BUNDLE_FORMAT) {
    fail('BD_FILE_UNREADABLE', `not an audit bundle: line 1 is not a ${BUNDLE_FORMAT} header`);
  }
  if (v.version !== BUNDLE_VERSION) {
    fail(
      'BD_FILE_UNREADABLE',
      `audit bundle version ${String(v.version)} is not supported; ` +
        `this breachdesk reads version ${BUNDLE_VERSION}`,
    );
  }

  const parsed = HEADER_SCHEMA.safeParse(value);
  return parsed.success ? parsed.data : new Broken(null, `header: ${firstIssue(parsed.error)}`);
}

/**
 * Whether a line is byte for byte what the exporter writes for its values. A line with an
 * extra, repeated or reordered field, or other spacing, parses to the same values but is not
 * the line that was exported: whatever was added is covered by no hash, so it is refused.
 */
function asWritten(bytes: Uint8Array, expected: string): boolean {
  const text = Buffer.from(bytes).toString('utf8');
  // The last line of a file may have lost its newline; nothing else may differ.
  return text === expected || text === expected.slice(0, -1);
}

function altered(seq: number | null): Broken {
  return new Broken(
    seq,
    'the line is not as exported (a field added, repeated or reordered, or its spacing ' +
      'changed): it was edited',
  );
}

function checkEntry(value: unknown, prev: ChainLink, bytes: Uint8Array): Broken | null {
  const expected = prev.seq + 1;
  const parsed = ENTRY_SCHEMA.safeParse(value);
  if (!parsed.success) return new Broken(expected, `entry: ${firstIssue(parsed.error)}`);
  if (!asWritten(bytes, entryLine(parsed.data))) return altered(expected);

  const e = parsed.data;
  if (e.seq !== expected) {
    return new Broken(
      expected,
      `expected entry ${expected} here, found entry ${e.seq}: entries are missing or reordered`,
    );
  }
  if (e.prevHash !== prev.hash) {
    return new Broken(expected, 'previous-hash link does not match the entry before it');
  }
  if (entryHash(e) !== e.hash) {
    return new Broken(expected, 'content does not match its hash (the entry was edited)');
  }
  return null;
}

function checkAnchor(
  value: unknown,
  header: Header,
  last: ChainLink,
  hashes: HashList,
  bytes: Uint8Array,
) {
  const parsed = ANCHOR_SCHEMA.safeParse(value);
  if (!parsed.success) return new Broken(null, `anchor: ${firstIssue(parsed.error)}`);
  if (!asWritten(bytes, anchorLine(parsed.data))) return altered(null);

  const { seq, hash, at } = parsed.data;
  if (seq > last.seq) {
    const reason =
      `entries ${last.seq + 1}..${seq} missing from the end: ` +
      `anchor at ${at} names entry ${seq}`;
    return new Broken(last.seq + 1, reason);
  }
  if (seq < header.prevSeq) {
    return new Broken(null, `the anchor at ${at} names entry ${seq}, before this bundle`);
  }
  const stored = seq === header.prevSeq ? header.prevHash : hashes.at(seq - header.prevSeq - 1);
  if (stored !== hash) {
    return new Broken(seq, `entry ${seq} differs from the anchor at ${at}`);
  }
  return null;
}

function checkEnd(
  value: unknown,
  header: Header,
  entries: number,
  last: ChainLink,
  sha256: string,
  missing: number | null,
  bytes: Uint8Array,
): Broken | null {
  const parsed = END_SCHEMA.safeParse(value);
  if (!parsed.success) return new Broken(null, `trailer: ${firstIssue(parsed.error)}`);

  const end = parsed.data;
  const named = { seq: end.lastSeq, hash: end.lastHash };
  if (!asWritten(bytes, endLine({ count: end.count, last: named, sha256: end.sha256 }))) {
    return altered(null);
  }
  if (header.count !== entries || end.count !== entries) {
    const counts = `header says ${header.count}, trailer ${end.count}`;
    const reason = `the file holds ${entries} entries; ${counts}`;
    return new Broken(missing, reason);
  }
  if (end.lastSeq !== last.seq || end.lastHash !== last.hash) {
    return new Broken(null, `the trailer names entry ${end.lastSeq}, the file ends at ${last.seq}`);
  }
  if (end.sha256 !== sha256) {
    return new Broken(null, 'the SHA-256 of the lines before the trailer differs from its own');
  }
  return null;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'line'}: ${issue.message}` : 'invalid';
}
