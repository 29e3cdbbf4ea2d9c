/**
 * Files that came with a signal (e-mail attachments, the message itself), kept as evidence
 * with their SHA-256 so that anyone can later show a file is the one that was received.
 */
import { createHash } from 'node:crypto';

import { fail } from '../domain/errors.ts';
import type { Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { evidenceFiles } from '../store/schema.ts';

/** One file as intake hands it over: its bytes in base64 and the hash and size claimed. */
export interface EvidenceFileInput {
  fileName: string;
  contentType: string;
  size: number;
  /** Lower-case hex SHA-256 of the decoded bytes. */
  sha256: string;
  contentBase64: string;
}

/** A stored evidence file, without its content. */
export interface StoredEvidence {
  id: string;
  fileName: string;
  size: number;
  sha256: string;
}

/** The SHA-256 (hex) and size of a file's bytes. */
export function digestOf(content: Buffer): { sha256: string; size: number } {
  return { sha256: createHash('sha256').update(content).digest('hex'), size: content.length };
}

/** The input form of a file's bytes, hashed here so the hash always matches the content. */
export function evidenceFileOf(fileName: string, contentType: string, content: Buffer) {
  return {
    fileName,
    contentType,
    ...digestOf(content),
    contentBase64: content.toString('base64'),
  } satisfies EvidenceFileInput;
}

/**
 * Stores `files` for a signal inside the caller's transaction. The hash and size are checked
 * against the bytes first: a file whose content does not match its hash would be worthless
 * as evidence, so it fails the whole transaction (BD_INTAKE_FIELD_INVALID) instead.
 */
export async function storeEvidence(
  tx: Tx,
  signalId: string,
  investigationId: string | null,
  files: readonly EvidenceFileInput[],
  receivedAt: Date,
): Promise<StoredEvidence[]> {
  const rows = files.map((file, index) => {
    const actual = digestOf(Buffer.from(file.contentBase64, 'base64'));
    if (actual.sha256 !== file.sha256 || actual.size !== file.size) {
      fail(
        'BD_INTAKE_FIELD_INVALID',
        `evidence file ${index} (${JSON.stringify(file.fileName.slice(0, 60))}) does not match ` +
          'its sha256 and size; the content must be the base64 of the hashed bytes',
        `files[${index}]`,
      );
    }
    return {
      id: newId(),
      signalId,
      investigationId,
      fileName: file.fileName,
      contentType: file.contentType,
      size: file.size,
      sha256: file.sha256,
      contentBase64: file.contentBase64,
      receivedAt: receivedAt.toISOString(),
    };
  });
  if (rows.length === 0) return [];

  // One row at a time: a message near the size limit would otherwise become one statement
  // several times the limit, all held in memory at once.
  for (const row of rows) await tx.insert(evidenceFiles).values(row);
  return rows.map(({ id, fileName, size, sha256 }) => ({ id, fileName, size, sha256 }));
}
