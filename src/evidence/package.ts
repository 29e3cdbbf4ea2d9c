/**
 * The evidence package as bytes (docs/evidence.md): evidence files under `files/`, the
 * investigation's signals as `signals.ndjson`, scoping results as `scoping.json`, a
 * `MANIFEST.json` naming the approval and each entry's path, size and SHA-256, and a
 * `SHA256SUMS` that `sha256sum -c` reads. Pure: the rows come in, the files go out; the CLI
 * writes them as a folder and HTTP sends them as one JSON document.
 */
import { createHash } from 'node:crypto';
import { iso } from '../store/db.ts';
import type {
  evidenceApprovals,
  evidenceFiles,
  scopedTenants,
  scopingRuns,
  signals,
} from '../store/schema.ts';
import type { EvidenceKind } from './kinds.ts';
import { uniqueSafeFileNames } from './file-names.ts';

export const PACKAGE_FORMAT = 'breachdesk-evidence/1';
export const MANIFEST_PATH = 'MANIFEST.json';
export const SUMS_PATH = 'SHA256SUMS';

/** One file of the package: its path inside the package (always `/`-separated) and bytes. */
export interface PackageFile {
  path: string;
  content: Buffer;
}

/** What the manifest says of one file. */
export interface ManifestEntry {
  path: string;
  kind: EvidenceKind;
  size: number;
  sha256: string;
  /** The evidence file's id and the name it arrived with (files only). */
  itemId?: string;
  originalName?: string;
  contentType?: string;
  /** How many records the file holds (signals, scoping runs). */
  records?: number;
}

// A type, not an interface: it must pass where any JSON object is expected (route schemas).
export type Manifest = {
  format: typeof PACKAGE_FORMAT;
  exportId: string;
  investigation: { id: string; ref: string };
  approval: {
    id: string;
    approvedBy: string;
    approvedAt: string;
    reason: string;
    recipient: string;
    expiresAt: string;
    scope: unknown;
  };
  exportedBy: string;
  exportedAt: string;
  kinds: EvidenceKind[];
  entries: ManifestEntry[];
};

export interface EvidenceContents {
  files: (typeof evidenceFiles.$inferSelect)[];
  signals: (typeof signals.$inferSelect)[];
  scoping: {
    run: typeof scopingRuns.$inferSelect;
    tenants: (typeof scopedTenants.$inferSelect)[];
  }[];
}

export interface PackageHeader {
  exportId: string;
  investigation: { id: string; ref: string };
  approval: typeof evidenceApprovals.$inferSelect;
  exportedBy: string;
  exportedAt: string;
  kinds: EvidenceKind[];
}

export interface EvidencePackage {
  manifest: Manifest;
  /** SHA-256 (hex) of MANIFEST.json exactly as written. */
  manifestSha256: string;
  /** Every file, MANIFEST.json and SHA256SUMS included, in a stable order. */
  files: PackageFile[];
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Builds the package of `contents` (already narrowed to the approval) under `header`. */
export function buildPackage(header: PackageHeader, contents: EvidenceContents): EvidencePackage {
  const items = [
    ...(header.kinds.includes('files') ? fileItems(contents.files) : []),
    ...(header.kinds.includes('signals') ? [signalsItem(contents.signals)] : []),
    ...(header.kinds.includes('scoping') ? [scopingItem(contents.scoping)] : []),
  ];
  const entries = items.map(({ file, entry }) => ({
    path: file.path,
    ...entry,
    size: file.content.length,
    sha256: sha256Hex(file.content),
  }));

  const manifest: Manifest = {
    format: PACKAGE_FORMAT,
    exportId: header.exportId,
    investigation: header.investigation,
    approval: approvalPart(header.approval),
    exportedBy: header.exportedBy,
    exportedAt: header.exportedAt,
    kinds: header.kinds,
    entries,
  };
  const manifestFile = { path: MANIFEST_PATH, content: jsonBytes(manifest) };
  const manifestSha256 = sha256Hex(manifestFile.content);

  // Two spaces between hash and name: the text-mode line `sha256sum -c` expects.
  const sums = [...entries, { path: MANIFEST_PATH, sha256: manifestSha256 }]
    .map((e) => `${e.sha256}  ${e.path}\n`)
    .join('');
  const files = [
    ...items.map((i) => i.file),
    manifestFile,
    { path: SUMS_PATH, content: Buffer.from(sums, 'utf8') },
  ];

  return { manifest, manifestSha256, files };
}

type Item = { file: PackageFile; entry: Omit<ManifestEntry, 'path' | 'size' | 'sha256'> };

function fileItems(rows: EvidenceContents['files']): Item[] {
  const names = uniqueSafeFileNames(rows.map((r) => r.fileName));
  return rows.map((row, i) => ({
    file: { path: `files/${names[i]}`, content: Buffer.from(row.contentBase64, 'base64') },
    entry: {
      kind: 'files',
      itemId: row.id,
      originalName: row.fileName,
      contentType: row.contentType,
    },
  }));
}

function signalsItem(rows: EvidenceContents['signals']): Item {
  const lines = rows.map((row) =>
    JSON.stringify({ ...row, occurredAt: iso(row.occurredAt), receivedAt: iso(row.receivedAt) }),
  );
  const text = lines.map((l) => `${l}\n`).join('');
  return {
    file: { path: 'signals.ndjson', content: Buffer.from(text, 'utf8') },
    entry: { kind: 'signals', records: rows.length },
  };
}

function scopingItem(runs: EvidenceContents['scoping']): Item {
  const body = runs.map(({ run, tenants }) => ({
    ...run,
    at: iso(run.at),
    tenants: tenants.map((t) => ({
      ...t,
      firstAccess: iso(t.firstAccess),
      lastAccess: iso(t.lastAccess),
    })),
  }));
  return {
    file: { path: 'scoping.json', content: jsonBytes({ runs: body }) },
    entry: { kind: 'scoping', records: runs.length },
  };
}

function approvalPart(row: typeof evidenceApprovals.$inferSelect): Manifest['approval'] {
  return {
    id: row.id,
    approvedBy: row.approvedBy,
    approvedAt: iso(row.approvedAt),
    reason: row.reason,
    recipient: row.recipient,
    expiresAt: iso(row.expiresAt),
    scope: row.scope,
  };
}

function jsonBytes(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
