/**
 * Chain anchors: the head of the audit log (seq, hash, time) copied at intervals to an
 * append-only file outside the database. Whoever deletes the tail of the log and rewrites its
 * head record to match cannot also reach back into this file, so the anchors still name the
 * entries that were removed (docs/audit.md).
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { fail } from '../domain/errors.ts';
import { anchorLine } from './bundle-format.ts';

/** The head of the log (seq and hash) as seen at `at`. */
export interface Anchor {
  seq: number;
  hash: string;
  at: string;
}

export const ANCHOR_SCHEMA = z.object({
  kind: z.literal('anchor'),
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string().min(1),
});

/** The anchors in the file, oldest first; null when there is no file yet. */
export async function readAnchorFile(path: string): Promise<Anchor[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }

  const anchors: Anchor[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    if (raw === '' && i === lines.length - 1) break;
    const parsed = ANCHOR_SCHEMA.safeParse(parseJson(raw));
    if (!parsed.success) {
      fail(
        'BD_FILE_UNREADABLE',
        `${path} line ${i + 1} is not a chain anchor ({"kind":"anchor","seq":…,"hash":…,` +
          '"at":…}); restore the file from a copy',
        'anchorFile',
      );
    }
    anchors.push({ seq: parsed.data.seq, hash: parsed.data.hash, at: parsed.data.at });
  }
  return anchors;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Appends one anchor and waits until it is on disk. */
export async function appendAnchorFile(path: string, anchor: Anchor): Promise<void> {
  await mkdir(dirname(path), { recursive: true });

  const file = await open(path, 'a', 0o644);
  try {
    await file.write(anchorLine(anchor));
    await file.sync();
  } finally {
    await file.close();
  }
}

export interface AnchorProblem {
  /** The first entry that can no longer be vouched for. */
  brokenAt: number;
  reason: string;
}

/**
 * Checks anchors against the log: `hashes` holds the stored hash of each anchored seq that
 * exists, `end` is the last seq of the log (0 when empty). An anchor past the end means the
 * tail was deleted; one whose hash differs means the log was rewritten up to that entry.
 */
export function checkAnchors(
  anchors: readonly Anchor[],
  hashes: ReadonlyMap<number, string>,
  end: number,
): AnchorProblem | null {
  const differing = anchors
    .filter((a) => a.seq <= end && hashes.get(a.seq) !== a.hash)
    .sort((a, b) => a.seq - b.seq)[0];
  if (differing) {
    const { seq, at } = differing;
    const reason = hashes.has(seq)
      ? `entry ${seq} differs from the anchor at ${at}: the log was rewritten up to that entry`
      : `entry ${seq}, named by the anchor at ${at}, is missing`;
    return { brokenAt: seq, reason };
  }

  const beyond = anchors.filter((a) => a.seq > end).sort((a, b) => b.seq - a.seq)[0];
  if (beyond) {
    return {
      brokenAt: end + 1,
      reason:
        `entries ${end + 1}..${beyond.seq} missing from the end: ` +
        `anchor at ${beyond.at} names entry ${beyond.seq}`,
    };
  }
  return null;
}
