import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { listClocks } from '../../src/investigations/clocks.ts';
import { sweepDeadlines } from '../../src/investigations/deadline-sweep.ts';
import { metrics } from '../../src/investigations/metrics.ts';
import { correctMoments } from '../../src/investigations/obligations.ts';
import { declareCrsi, moveStage } from '../../src/investigations/workflow.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import type { Store } from '../../src/store/db.ts';
import { staffAlerts } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants } from '../support/factories.ts';

const responder = cliActor('responder', 'alice');
const manager = cliActor('incident_manager', 'ines');
const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';
const AWARE = '2026-11-30T10:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(AWARE) + hours * 3_600_000);

describeEachBackend('deadline watch', (backend) => {
  let store: Store;
  let dir: string;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-sweep-'));
    await seedTenants(store.db, ['acme']);
    id = await openInvestigation(store.db);
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
    await moveStage(store.db, responder, id, { to: 'diagnose', reason: 'data at risk' });
    const file = join(dir, 'ct.json');
    const read = {
      eventTime: '2026-11-30T08:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      userIdentity: { arn: ATTACKER },
      recipientAccountId: '111111111111',
      requestParameters: { bucketName: 'acme-data', key: 'a.csv' },
    };
    await writeFile(file, JSON.stringify({ Records: [read] }));
    await scopeInvestigation(store.db, responder, id, {
      paths: [file],
      format: 'cloudtrail',
      indicators: { principals: [ATTACKER], sourceIps: [], from: null, to: null },
    });
    await declareCrsi(store.db, manager, id, {
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by the stolen role',
      awareAt: AWARE,
    });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reminds once at half of the 24-hour controller window, not of the 72-hour one', async () => {
    expect(await sweepDeadlines(store.db, at(13))).toEqual({ reminders: 1, escalations: 0 });
    expect(await sweepDeadlines(store.db, at(14))).toEqual({ reminders: 0, escalations: 0 });
  });

  it('escalates a missed deadline once and records when it became late', async () => {
    expect((await sweepDeadlines(store.db, at(25))).escalations).toBe(1);
    expect((await sweepDeadlines(store.db, at(26))).escalations).toBe(0);

    const acme = (await listClocks(store.db, id)).find((c) => c.tenantId === 'acme');
    expect(acme?.lateSince).toBe('2026-12-01T10:00:00.000Z');
    const alerts = await store.db.select().from(staffAlerts);
    // 25 h is a third of the 72-hour authority window: no reminder for that one yet.
    expect(alerts.map((a) => a.kind)).toEqual(['escalation']);
  });

  it('keeps the record of lateness when awareness is corrected to a later moment', async () => {
    await sweepDeadlines(store.db, at(25));
    await correctMoments(store.db, manager, id, {
      awareAt: at(10).toISOString(),
      reason: 'the first report was misdated by the sender',
    });
    const acme = (await listClocks(store.db, id)).find((c) => c.tenantId === 'acme');
    expect(acme?.due).toBe('2026-12-01T20:00:00.000Z');
    expect(acme?.lateSince).toBe('2026-12-01T10:00:00.000Z');
  });

  it('counts a missed deadline in the metrics', async () => {
    const m = await metrics(store.db, at(25));
    expect(m.obligations.missed).toBe(1);
  });
});
