/**
 * What an e-mail report leaves besides its signal row: the message and its attachments as
 * evidence files, the reporter, and the tracking reference the reporter is given. Runs inside
 * the signal's own transaction (IntakeAdapter.afterStore), so a report is stored whole or not
 * at all.
 */
import { randomBytes } from 'node:crypto';

import { and, asc, eq, isNotNull } from 'drizzle-orm';

import type { Tx } from '../store/db.ts';
import { signals } from '../store/schema.ts';
import { type EvidenceFileInput, type StoredEvidence, storeEvidence } from './evidence.ts';

/** What was kept for one stored e-mail signal. */
export interface EmailStored {
  signalId: string;
  investigationId: string | null;
  /** This message's own reference. */
  reference: string;
  /**
   * The reference to give the reporter: that of the first e-mail in the same investigation,
   * so that a follow-up is answered with the reference the reporter already holds.
   */
  reportReference: string;
  evidence: StoredEvidence[];
}

// Crockford's base32 alphabet: no I, L, O or U, so a reference read aloud is not misheard.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const REFERENCE_LENGTH = 10;

/** A new tracking reference, `VR-` and 10 random base32 characters (50 bits). */
export function newReference(): string {
  const bytes = randomBytes(REFERENCE_LENGTH);
  let code = '';
  for (const byte of bytes) code += ALPHABET[byte % 32];
  return `VR-${code}`;
}

/**
 * Stores the evidence of the signal `stored` whose raw record is `raw` (an EmailRecord
 * checked by the email adapter), gives the signal its reference and reporter, and keeps the
 * raw record without the file contents, which now live in evidence_files under their
 * SHA-256 (the record still lists each file's name, type, size and hash).
 */
export async function storeEmailEvidence(
  tx: Tx,
  stored: { signalId: string; investigationId: string | null },
  raw: unknown,
): Promise<EmailStored> {
  const record = raw as { from?: { address?: unknown }; message: EvidenceFileInput } & {
    attachments: EvidenceFileInput[];
  };
  const files = [record.message, ...record.attachments];
  const reporter = typeof record.from?.address === 'string' ? record.from.address : null;
  const reference = await unusedReference(tx);

  const [row] = await tx
    .update(signals)
    .set({ reference, reporter: reporter?.toLowerCase() ?? null, raw: withoutContents(record) })
    .where(eq(signals.id, stored.signalId))
    .returning({ receivedAt: signals.receivedAt });
  if (!row) throw new Error(`signal ${stored.signalId} is not stored`);

  const evidence = await storeEvidence(
    tx,
    stored.signalId,
    stored.investigationId,
    files,
    new Date(row.receivedAt),
  );
  const reportReference = await firstReference(tx, stored.investigationId);
  return { ...stored, reference, reportReference: reportReference ?? reference, evidence };
}

async function unusedReference(tx: Tx): Promise<string> {
  // 2^50 references make a clash unlikely for ever, but a clash would fail the whole report.
  for (;;) {
    const reference = newReference();
    const [taken] = await tx
      .select({ id: signals.id })
      .from(signals)
      .where(eq(signals.reference, reference))
      .limit(1);
    if (!taken) return reference;
  }
}

async function firstReference(tx: Tx, investigationId: string | null): Promise<string | null> {
  if (investigationId === null) return null;

  const [first] = await tx
    .select({ reference: signals.reference })
    .from(signals)
    .where(
      and(
        eq(signals.investigationId, investigationId),
        eq(signals.format, 'email'),
        isNotNull(signals.reference),
      ),
    )
    .orderBy(asc(signals.receivedAt), asc(signals.id))
    .limit(1);
  return first?.reference ?? null;
}

function withoutContents(record: Record<string, unknown>): Record<string, unknown> {
  const strip = ({ fileName, contentType, size, sha256 }: EvidenceFileInput) => ({
    fileName,
    contentType,
    size,
    sha256,
  });
  const { message, attachments } = record as {
    message: EvidenceFileInput;
    attachments: EvidenceFileInput[];
  };
  return { ...record, message: strip(message), attachments: attachments.map(strip) };
}
