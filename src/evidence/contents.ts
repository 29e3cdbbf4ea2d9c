/**
 * The evidence an investigation holds, read from the tables that own it: evidence files (by
 * the investigation they were stored under or their signal's), the investigation's signals,
 * and its scoping runs with the tenants each found.
 */
import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { Conn } from '../store/db.ts';
import { evidenceFiles, scopedTenants, scopingRuns, signals } from '../store/schema.ts';
import type { EvidenceKind } from './kinds.ts';
import type { EvidenceContents } from './package.ts';

function filesOf(investigationId: string) {
  return or(
    eq(evidenceFiles.investigationId, investigationId),
    eq(signals.investigationId, investigationId),
  );
}

/** Which of `ids` are items of the investigation, each with its kind. */
export async function itemKinds(
  conn: Conn,
  investigationId: string,
  ids: readonly string[],
): Promise<Map<string, EvidenceKind>> {
  const kinds = new Map<string, EvidenceKind>();
  if (ids.length === 0) return kinds;

  const files = await conn
    .select({ id: evidenceFiles.id })
    .from(evidenceFiles)
    .innerJoin(signals, eq(signals.id, evidenceFiles.signalId))
    .where(and(inArray(evidenceFiles.id, [...ids]), filesOf(investigationId)));
  const signalRows = await conn
    .select({ id: signals.id })
    .from(signals)
    .where(and(inArray(signals.id, [...ids]), eq(signals.investigationId, investigationId)));
  const runs = await conn
    .select({ id: scopingRuns.id })
    .from(scopingRuns)
    .where(
      and(inArray(scopingRuns.id, [...ids]), eq(scopingRuns.investigationId, investigationId)),
    );

  for (const r of files) kinds.set(r.id, 'files');
  for (const r of signalRows) kinds.set(r.id, 'signals');
  for (const r of runs) kinds.set(r.id, 'scoping');
  return kinds;
}

/**
 * The investigation's evidence of the given kinds, oldest first; with `itemIds`, only those
 * items. Read whole into memory: evidence files are bounded by the e-mail size limit, but an
 * investigation with very many signals makes a large package (docs/evidence.md).
 */
export async function loadContents(
  conn: Conn,
  investigationId: string,
  kinds: readonly EvidenceKind[],
  itemIds?: readonly string[],
): Promise<EvidenceContents> {
  const only = (column: typeof evidenceFiles.id | typeof signals.id | typeof scopingRuns.id) =>
    itemIds === undefined ? undefined : inArray(column, [...itemIds]);

  const files = kinds.includes('files')
    ? await conn
        .select({ file: evidenceFiles })
        .from(evidenceFiles)
        .innerJoin(signals, eq(signals.id, evidenceFiles.signalId))
        .where(and(filesOf(investigationId), only(evidenceFiles.id)))
        .orderBy(asc(evidenceFiles.receivedAt), asc(evidenceFiles.id))
    : [];
  const signalRows = kinds.includes('signals')
    ? await conn
        .select()
        .from(signals)
        .where(and(eq(signals.investigationId, investigationId), only(signals.id)))
        .orderBy(asc(signals.receivedAt), asc(signals.id))
    : [];
  const runs = kinds.includes('scoping')
    ? await conn
        .select()
        .from(scopingRuns)
        .where(and(eq(scopingRuns.investigationId, investigationId), only(scopingRuns.id)))
        .orderBy(asc(scopingRuns.at), asc(scopingRuns.id))
    : [];

  const scoping = [];
  for (const run of runs) {
    const tenants = await conn
      .select()
      .from(scopedTenants)
      .where(eq(scopedTenants.scopingRunId, run.id))
      .orderBy(asc(scopedTenants.tenantId));
    scoping.push({ run, tenants });
  }

  return { files: files.map((f) => f.file), signals: signalRows, scoping };
}
