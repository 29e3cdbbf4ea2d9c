/**
 * A declared investigation with drafted notices, for tests of what follows declaration
 * (phases, previews, the regulator report): tenants as given, scoped from a CloudTrail file
 * that shows the attacker reading each tenant's bucket, then declared by an incident manager.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { cliActor } from '../../src/auth/actor.ts';
import { declareCrsi, moveStage } from '../../src/investigations/workflow.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { deliverDue } from '../../src/notify/worker.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import type { Db } from '../../src/store/db.ts';
import { notices } from '../../src/store/schema.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { buildTenant, openInvestigation } from '../support/factories.ts';

export const responder = cliActor('responder', 'alice');
export const manager = cliActor('incident_manager', 'ines');
const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';

/** Tenants by id, each with optional overrides of buildTenant (name, language, contacts). */
export type TenantSpec = Record<string, Record<string, unknown>>;

export async function declaredInvestigation(
  db: Db,
  specs: TenantSpec = { acme: {} },
): Promise<string> {
  await importTenants(
    db,
    { tenants: Object.entries(specs).map(([id, over]) => buildTenant(id, over)) },
    cliActor('admin'),
  );
  const id = await openInvestigation(db);
  await moveStage(db, responder, id, { to: 'assess', reason: 'paged' });
  await moveStage(db, responder, id, { to: 'diagnose', reason: 'customer data at risk' });
  await scope(db, id, Object.keys(specs));
  await declareCrsi(db, manager, id, {
    grounds: ['unauthorized_access'],
    evidence: 'CloudTrail shows GetObject by the stolen role on the buckets',
    awareAt: '2026-11-30T10:00:00Z',
  });
  return id;
}

/** Scopes the investigation to the given tenants (one read of each tenant's bucket). */
export async function scope(db: Db, id: string, tenantIds: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bd-declared-'));
  try {
    const file = join(dir, 'ct.json');
    const records = tenantIds.map((t, i) => ({
      eventVersion: '1.08',
      eventTime: `2026-11-30T08:0${i % 10}:00Z`,
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      sourceIPAddress: '203.0.113.50',
      userIdentity: { type: 'AssumedRole', arn: ATTACKER },
      recipientAccountId: '111111111111',
      requestParameters: { bucketName: `${t}-data`, key: `export-${i}.csv` },
    }));
    await writeFile(file, JSON.stringify({ Records: records }));
    await scopeInvestigation(db, responder, id, {
      paths: [file],
      format: 'cloudtrail',
      indicators: { principals: [ATTACKER], sourceIps: [], from: null, to: null },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The notice of one tenant, audience and phase. */
export async function noticeOf(db: Db, id: string, tenantId: string, audience: string, phase = 1) {
  const [row] = await db
    .select()
    .from(notices)
    .where(
      and(
        eq(notices.investigationId, id),
        eq(notices.tenantId, tenantId),
        eq(notices.audience, audience),
        eq(notices.phase, phase),
      ),
    );
  if (!row) throw new Error(`no ${audience} notice phase ${phase} for ${tenantId}`);
  return row;
}

/** Approves a notice and delivers it (as .eml files in a temporary folder), as a follow-up needs. */
export async function approveAndDeliver(db: Db, noticeId: string): Promise<void> {
  await approveNotice(db, manager, noticeId);
  const dir = await mkdtemp(join(tmpdir(), 'bd-deliver-'));
  const transport = createTransport({ smtpUrl: null, outboxDir: dir });
  try {
    await deliverDue(db, transport);
  } finally {
    await transport.close();
    await rm(dir, { recursive: true, force: true });
  }
}
