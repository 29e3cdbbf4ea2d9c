/**
 * An investigation holding every kind of evidence: its signal, files attached to that signal
 * under hostile names (as an outside reporter could send them), and a scoping run over a
 * CloudTrail file that finds tenant acme. Also a snapshot that covers the evidence tables.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, like, sql } from 'drizzle-orm';
import { cliActor } from '../../src/auth/actor.ts';
import { evidenceFileOf, storeEvidence } from '../../src/intake/evidence.ts';
import { moveStage } from '../../src/investigations/workflow.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import type { Db } from '../../src/store/db.ts';
import { auditLog, signals } from '../../src/store/schema.ts';
import { buildEveAlert, openInvestigation, seedTenants, snapshot } from './factories.ts';

const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';

/**
 * Names an outsider chose. A NUL cannot be stored in PostgreSQL text, so `a\u0000b` is
 * checked by the pure tests of src/evidence/file-names.ts instead.
 */
export const HOSTILE_NAMES = [
  '../../etc/passwd',
  '/abs',
  'CON',
  'con.txt',
  `${'x'.repeat(400)}.pdf`,
  'report.pdf',
  'REPORT.pdf',
  'passwd',
  '..',
  'invoice\u202Efdp.exe',
  'C:\\Windows\\win.ini',
  'line\nbreak.txt',
];

export interface EvidenceCase {
  investigationId: string;
  /** A second investigation, for approvals that belong elsewhere. */
  otherId: string;
  signalId: string;
  /** Stored files, in the order of HOSTILE_NAMES, with their bytes. */
  files: { id: string; fileName: string; content: Buffer }[];
  scopingRunId: string;
}

/** Seeds tenant acme and an investigation with files, signals and a scoping run. */
export async function seedEvidenceCase(db: Db): Promise<EvidenceCase> {
  await seedTenants(db, ['acme']);
  const investigationId = await openInvestigation(db);
  const otherId = await openInvestigation(db, buildEveAlert({ sid: 9000777, src: '198.51.100.7' }));
  const [signal] = await db
    .select({ id: signals.id, receivedAt: signals.receivedAt })
    .from(signals)
    .where(eq(signals.investigationId, investigationId));
  if (!signal) throw new Error('the investigation has no signal');

  const inputs = HOSTILE_NAMES.map((name, i) =>
    evidenceFileOf(name, 'application/octet-stream', Buffer.from(`evidence ${i}: ${name}\n`)),
  );
  const stored = await db.transaction((tx) =>
    storeEvidence(tx, signal.id, investigationId, inputs, new Date()),
  );
  const files = stored.map((s, i) => ({
    id: s.id,
    fileName: s.fileName,
    content: Buffer.from(inputs[i]?.contentBase64 ?? '', 'base64'),
  }));

  return {
    investigationId,
    otherId,
    signalId: signal.id,
    files,
    scopingRunId: await scopeAcme(db, investigationId),
  };
}

async function scopeAcme(db: Db, investigationId: string): Promise<string> {
  const responder = cliActor('responder', 'rita');
  await moveStage(db, responder, investigationId, { to: 'assess', reason: 'paged' });
  await moveStage(db, responder, investigationId, { to: 'diagnose', reason: 'data at risk' });
  const dir = await mkdtemp(join(tmpdir(), 'bd-evidence-ct-'));
  try {
    const file = join(dir, 'ct.json');
    const record = {
      eventVersion: '1.08',
      eventTime: '2026-11-30T08:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      sourceIPAddress: '203.0.113.50',
      userIdentity: { type: 'AssumedRole', arn: ATTACKER },
      recipientAccountId: '111111111111',
      requestParameters: { bucketName: 'acme-data', key: 'export.csv' },
    };
    await writeFile(file, JSON.stringify({ Records: [record] }));
    const { runId } = await scopeInvestigation(db, responder, investigationId, {
      paths: [file],
      format: 'cloudtrail',
      indicators: { principals: [ATTACKER], sourceIps: [], from: null, to: null },
    });
    return runId;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The shared snapshot plus the evidence tables, to prove a refusal stored nothing. */
export async function evidenceSnapshot(db: Db): Promise<Record<string, string | undefined>> {
  const digest = async (table: string) => {
    const res: unknown = await db.execute(
      sql.raw(
        `SELECT count(*)::text || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ` +
          `'')) AS d FROM ${table} x`,
      ),
    );
    return (res as { rows: { d: string }[] }).rows[0]?.d;
  };
  return {
    ...(await snapshot(db)),
    evidence_approvals: await digest('evidence_approvals'),
    evidence_exports: await digest('evidence_exports'),
  };
}

/** The audit entries of evidence approvals and exports, oldest first, with data parsed. */
export async function evidenceAudit(db: Db) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(like(auditLog.action, 'evidence.%'))
    .orderBy(auditLog.seq);
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}
