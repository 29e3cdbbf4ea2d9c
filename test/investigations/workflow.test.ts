/**
 * The investigation's life through the service layer: de-duplication, rating history,
 * declaration, clocks, drafts that follow scoping, and the rules on closing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import { listClocks } from '../../src/investigations/clocks.ts';
import {
  classifyInvestigation,
  declareCrsi,
  moveStage,
  rateInvestigation,
  writePostmortem,
} from '../../src/investigations/workflow.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import type { Store } from '../../src/store/db.ts';
import { investigations, notices, outbox, ratings } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, openInvestigation, seedTenants, snapshot } from '../support/factories.ts';

const responder = cliActor('responder', 'alice');
const manager = cliActor('incident_manager', 'ines');
const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';

function s3Read(bucket: string, key: string, time: string) {
  return {
    eventVersion: '1.08',
    eventTime: time,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    sourceIPAddress: '203.0.113.50',
    userIdentity: { type: 'AssumedRole', arn: ATTACKER },
    recipientAccountId: '111111111111',
    requestParameters: { bucketName: bucket, key },
  };
}

describeEachBackend('investigation workflow', (backend) => {
  let store: Store;
  let dir: string;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-wf-'));
    await seedTenants(store.db, ['acme', 'globex', 'initech']);
    id = await openInvestigation(store.db);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function toDiagnose() {
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
    await moveStage(store.db, responder, id, { to: 'diagnose', reason: 'customer data at risk' });
  }

  async function scopeOver(records: unknown[]) {
    const file = join(dir, `ct-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify({ Records: records }));
    return scopeInvestigation(store.db, responder, id, {
      paths: [file],
      format: 'cloudtrail',
      indicators: { principals: [ATTACKER], sourceIps: [], from: null, to: null },
    });
  }

  it('counts a repeat inside the window on the same investigation', async () => {
    const later = buildEveAlert({ ts: '2026-11-30T09:15:02.000000+0000' });
    const summary = await ingestRecords(
      store.db,
      adapterFor('suricata'),
      [{ line: 1, record: later }],
      {
        actor: responder,
      },
    );
    const [row] = await store.db.select().from(investigations).where(eq(investigations.id, id));

    expect(summary.duplicates).toBe(1);
    expect(row?.signalCount).toBe(2);
  });

  it('opens a new investigation for a repeat outside the window', async () => {
    const nextWeek = buildEveAlert({ ts: '2026-12-07T08:15:02.000000+0000' });
    const summary = await ingestRecords(
      store.db,
      adapterFor('suricata'),
      [{ line: 1, record: nextWeek }],
      {
        actor: responder,
      },
    );
    expect(summary.accepted).toBe(1);
  });

  it('keeps every rating as history and rates customer-data risk high', async () => {
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
    const base = {
      functionalImpact: 'none',
      informationImpact: ['none'],
      recoverability: 'regular',
    };
    await rateInvestigation(store.db, responder, id, { ...base, customerDataRisk: 'none' });
    const second = await rateInvestigation(store.db, responder, id, {
      ...base,
      customerDataRisk: 'imminent',
    });

    const history = await store.db.select().from(ratings).where(eq(ratings.investigationId, id));
    expect(history).toHaveLength(2);
    expect(second.severity).toBe('high');
  });

  it('closes from assess only with a closing classification', async () => {
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
    await expect(
      moveStage(store.db, responder, id, { to: 'close', reason: 'benign' }),
    ).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
    });

    await classifyInvestigation(store.db, responder, id, {
      classification: 'false_positive',
      rootCause: 'backup job reads the bucket nightly',
    });
    const closed = await moveStage(store.db, responder, id, { to: 'close', reason: 'benign' });
    expect(closed.stage).toBe('close');
  });

  it('refuses to close from stabilize without a post-mortem', async () => {
    await toDiagnose();
    await moveStage(store.db, responder, id, { to: 'stabilize', reason: 'contained' });
    const before = await snapshot(store.db);

    await expect(
      moveStage(store.db, manager, id, { to: 'close', reason: 'done' }),
    ).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
    });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('drafts notices only for scoped tenants and starts one clock per tenant plus the authority', async () => {
    await toDiagnose();
    await scopeOver([
      s3Read('acme-data', 'a.csv', '2026-11-30T08:00:00Z'),
      s3Read('globex-data', 'b.csv', '2026-11-30T08:01:00Z'),
    ]);
    await declareCrsi(store.db, manager, id, {
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by the stolen role on both buckets',
      awareAt: '2026-11-30T10:00:00Z',
    });

    const drafts = await store.db.select().from(notices).where(eq(notices.investigationId, id));
    expect([...new Set(drafts.map((n) => n.tenantId))].sort()).toEqual(['acme', 'globex']);
    const clocks = await listClocks(store.db, id);
    expect(clocks.map((c) => `${c.regime}:${c.tenantId ?? '-'}:${c.due}`).sort()).toEqual([
      'gdpr-33-1:-:2026-12-03T10:00:00.000Z',
      'gdpr-33-2:acme:2026-12-01T10:00:00.000Z',
      'gdpr-33-2:globex:2026-12-01T10:00:00.000Z',
    ]);
  });

  it('never duplicates a clock when scoping is re-run, and withdraws drafts of dropped tenants', async () => {
    await toDiagnose();
    await scopeOver([
      s3Read('acme-data', 'a.csv', '2026-11-30T08:00:00Z'),
      s3Read('globex-data', 'b.csv', '2026-11-30T08:01:00Z'),
    ]);
    await declareCrsi(store.db, manager, id, {
      grounds: ['duty_to_notify'],
      evidence: 'contract obliges notice of any unauthorised read',
    });
    await scopeOver([s3Read('acme-data', 'a.csv', '2026-11-30T08:00:00Z')]);
    await scopeOver([s3Read('acme-data', 'a.csv', '2026-11-30T08:00:00Z')]);

    const drafts = await store.db.select().from(notices).where(eq(notices.investigationId, id));
    expect([...new Set(drafts.map((n) => n.tenantId))]).toEqual(['acme']);
    const clocks = await listClocks(store.db, id);
    expect(clocks.filter((c) => c.tenantId === 'acme')).toHaveLength(1);
  });

  it("queues a tenant's notice only to that tenant's contacts", async () => {
    await toDiagnose();
    await scopeOver([s3Read('acme-data', 'a.csv', '2026-11-30T08:00:00Z')]);
    await declareCrsi(store.db, manager, id, {
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by the stolen role',
    });
    const drafts = await store.db.select().from(notices).where(eq(notices.investigationId, id));
    for (const n of drafts) await approveNotice(store.db, manager, n.id);

    const queued = await store.db.select().from(outbox);
    expect(queued.map((o) => o.recipientEmail).sort()).toEqual([
      'am-acme@provider.example',
      'dpo@acme.example',
    ]);
  });

  it('refuses approval by a responder and leaves the draft a draft', async () => {
    await toDiagnose();
    await scopeOver([s3Read('acme-data', 'a.csv', '2026-11-30T08:00:00Z')]);
    await declareCrsi(store.db, manager, id, {
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by the stolen role',
    });
    const [draft] = await store.db.select().from(notices).where(eq(notices.investigationId, id));
    const before = await snapshot(store.db);

    await expect(approveNotice(store.db, responder, draft?.id ?? '')).rejects.toMatchObject({
      code: 'BD_AUTH_FORBIDDEN',
    });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('closes a declared incident once the post-mortem is written', async () => {
    await toDiagnose();
    await moveStage(store.db, responder, id, { to: 'stabilize', reason: 'contained' });
    await writePostmortem(store.db, manager, id, {
      summary: 's',
      rootCause: 'r',
      lessons: 'l',
      actions: ['a'],
    });
    const closed = await moveStage(store.db, manager, id, { to: 'close', reason: 'done' });
    expect(closed.closedAt).not.toBeNull();
  });
});
