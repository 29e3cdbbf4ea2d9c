/**
 * Obligations: visible "to decide" before anyone acts, decided with approver and rationale,
 * met by filings (late ones with reasons), recomputed on corrected moments without erasing
 * lateness, and standing in the way of closing until settled.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import { listClocks, markControllerClocksMet } from '../../src/investigations/clocks.ts';
import { sweepDeadlines } from '../../src/investigations/deadline-sweep.ts';
import {
  correctMoments,
  decideObligation,
  overrideRegimes,
  recordFiling,
} from '../../src/investigations/obligations.ts';
import {
  declareCrsi,
  moveStage,
  rateInvestigation,
  writePostmortem,
} from '../../src/investigations/workflow.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import type { Store } from '../../src/store/db.ts';
import { clocks, notices } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants, snapshot } from '../support/factories.ts';
import { scope } from '../notify/declared-investigation.ts';

const responder = cliActor('responder', 'alice');
const manager = cliActor('incident_manager', 'ines');
const legal = cliActor('legal', 'lou');
const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';

describeEachBackend('obligations', (backend) => {
  let store: Store;
  let dir: string;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-ob-'));
    await seedTenants(store.db, ['acme', 'globex']);
    id = await openInvestigation(store.db);
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function declared(awareAt = '2026-11-30T10:00:00Z') {
    await moveStage(store.db, responder, id, { to: 'diagnose', reason: 'data at risk' });
    const file = join(dir, 'ct.json');
    const read = {
      eventTime: '2026-11-30T08:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      sourceIPAddress: '203.0.113.50',
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
      awareAt,
    });
  }

  const byRegime = async (regime: string) =>
    (await listClocks(store.db, id)).filter((c) => c.regime === regime);

  it('opens obligations "to decide" as soon as a rating touches personal data', async () => {
    await rateInvestigation(store.db, responder, id, {
      functionalImpact: 'low',
      informationImpact: ['privacy'],
      recoverability: 'regular',
      customerDataRisk: 'imminent',
    });
    const [authority] = await byRegime('gdpr-33-1');
    expect(authority).toMatchObject({ status: 'to_decide', due: null });
  });

  it('gives the awareness-based due once declared, without a second copy', async () => {
    await rateInvestigation(store.db, responder, id, {
      functionalImpact: 'low',
      informationImpact: ['privacy'],
      recoverability: 'regular',
      customerDataRisk: 'imminent',
    });
    await declared();
    const authority = await byRegime('gdpr-33-1');
    expect(authority.map((c) => c.due)).toEqual(['2026-12-03T10:00:00.000Z']);
  });

  it('refuses a "not required" decision by a responder and changes nothing', async () => {
    await declared();
    const [authority] = await byRegime('gdpr-33-1');
    const before = await snapshot(store.db);
    await expect(
      decideObligation(store.db, responder, authority?.id ?? '', {
        decision: 'not_required',
        rationale: 'we are only the processor here',
      }),
    ).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('records a "not required" decision with its approver and rationale', async () => {
    await declared();
    const [authority] = await byRegime('gdpr-33-1');
    await decideObligation(store.db, legal, authority?.id ?? '', {
      decision: 'not_required',
      rationale: 'we are only the processor for this data',
    });
    const [after] = await byRegime('gdpr-33-1');
    expect(after?.status).toBe('not_required');
    expect(after?.decision).toMatchObject({ decidedBy: 'cli:lou (legal)' });
  });

  it('refuses a late Art. 33(1) filing without reasons for the delay', async () => {
    await declared('2026-11-01T10:00:00Z');
    const [authority] = await byRegime('gdpr-33-1');
    await expect(
      recordFiling(store.db, legal, authority?.id ?? '', {
        filedAt: '2026-11-10T10:00:00Z',
        reference: 'DPA-2026-991',
      }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'delayReasons' });
  });

  it('records a filing once: a second, back-dated one is refused', async () => {
    await declared('2026-11-01T10:00:00Z');
    const [authority] = await byRegime('gdpr-33-1');
    await recordFiling(store.db, legal, authority?.id ?? '', {
      filedAt: '2026-11-10T10:00:00Z',
      reference: 'DPA-2026-991',
      delayReasons: 'scope was unclear until the logs were restored',
    });
    await expect(
      recordFiling(store.db, legal, authority?.id ?? '', {
        filedAt: '2026-11-02T10:00:00Z',
        reference: 'DPA-2026-991-again',
      }),
    ).rejects.toMatchObject({ code: 'BD_STAGE_PRECONDITION' });
    const [after] = await byRegime('gdpr-33-1');
    expect(after?.metAt).toBe('2026-11-10T10:00:00.000Z');
  });

  it('refuses a filing dated before the clock started', async () => {
    await declared('2026-11-01T10:00:00Z');
    const [authority] = await byRegime('gdpr-33-1');
    await expect(
      recordFiling(store.db, legal, authority?.id ?? '', {
        filedAt: '2026-10-30T10:00:00Z',
        reference: 'DPA-2026-990',
      }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'filedAt' });
  });

  it('marks a filing late when a corrected awareness moves its deadline before it', async () => {
    await declared('2026-11-09T10:00:00Z');
    const [authority] = await byRegime('gdpr-33-1');
    await recordFiling(store.db, legal, authority?.id ?? '', {
      filedAt: '2026-11-10T10:00:00Z',
      reference: 'DPA-2026-992',
    });
    await correctMoments(store.db, manager, id, {
      awareAt: '2026-11-01T10:00:00Z',
      reason: 'the first alert already showed the exfiltration',
    });
    const [after] = await byRegime('gdpr-33-1');
    expect(after?.lateSince).toBe('2026-11-04T10:00:00.000Z');
  });

  it('keeps a late filing recorded as late after the awareness moment is corrected', async () => {
    await declared('2026-11-01T10:00:00Z');
    const [authority] = await byRegime('gdpr-33-1');
    await recordFiling(store.db, legal, authority?.id ?? '', {
      filedAt: '2026-11-10T10:00:00Z',
      reference: 'DPA-2026-991',
      delayReasons: 'scope was unclear until the logs were restored',
    });
    await correctMoments(store.db, manager, id, {
      awareAt: '2026-11-09T10:00:00Z',
      reason: 'awareness was wrongly entered as the first alert',
    });

    const [after] = await byRegime('gdpr-33-1');
    expect(after?.due).toBe('2026-11-12T10:00:00.000Z');
    expect(after?.lateSince).toBe('2026-11-04T10:00:00.000Z');
  });

  it('meets a controller clock at the earliest delivery and never moves it later', async () => {
    await declared();
    const reached = (at: string) => ({ investigationId: id, tenantId: 'acme', at });
    await store.db.transaction((tx) =>
      markControllerClocksMet(tx, [
        reached('2026-12-01T10:05:00.000Z'),
        reached('2026-12-01T10:00:00.000Z'),
      ]),
    );
    await store.db.transaction((tx) =>
      markControllerClocksMet(tx, [reached('2026-12-01T09:00:00.000Z')]),
    );
    const [controller] = await byRegime('gdpr-33-2');
    expect(controller).toMatchObject({ status: 'met', metAt: '2026-12-01T10:00:00.000Z' });
  });

  it('audits a controller clock met by a delivery, with the status it had', async () => {
    await declared();
    const [before] = await byRegime('gdpr-33-2');
    await store.db.transaction((tx) =>
      markControllerClocksMet(tx, [
        { investigationId: id, tenantId: 'acme', at: '2026-11-30T12:00:00.000Z' },
      ]),
    );

    const met = (await auditEntriesFor(store.db, id)).filter((e) => e.action === 'clock.met');
    expect(met.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      expect.objectContaining({
        clockId: before?.id,
        previousStatus: 'to_decide',
        metAt: '2026-11-30T12:00:00.000Z',
        late: false,
      }),
    ]);
  });

  it('records a controller clock met by a delivery after its due moment as late', async () => {
    await declared();
    await store.db.transaction((tx) =>
      markControllerClocksMet(tx, [
        { investigationId: id, tenantId: 'acme', at: '2026-12-01T10:00:01.000Z' },
      ]),
    );

    const [controller] = await byRegime('gdpr-33-2');
    expect(controller?.lateSince).toBe('2026-12-01T10:00:00.000Z');
  });

  it('answers late for a filing on a duty seen late before its due was corrected', async () => {
    await declared('2026-11-01T10:00:00Z');
    await sweepDeadlines(store.db, new Date('2026-11-04T10:00:01Z'));
    await correctMoments(store.db, manager, id, {
      awareAt: '2026-11-03T10:00:00Z',
      reason: 'awareness was entered two days too early',
    });
    const [authority] = await byRegime('gdpr-33-1');

    const answer = await recordFiling(store.db, legal, authority?.id ?? '', {
      filedAt: '2026-11-05T10:00:00Z',
      reference: 'DPA-2026-993',
      delayReasons: 'the sweep had already recorded the first deadline as missed',
    });
    expect(answer.late).toBe(true);
  });

  it('accepts a chained filing after its predecessor, before that one was due', async () => {
    await overrideRegimes(store.db, legal, id, {
      add: [{ regime: 'nis2', tenantId: null }],
      reason: 'the affected service is an essential entity under NIS2',
    });
    await declared('2026-11-02T08:00:00Z');
    const nis2 = async (filing: string) =>
      (await byRegime('nis2')).find((c) => c.filing === filing)?.id ?? '';
    await recordFiling(store.db, legal, await nis2('notification'), {
      filedAt: '2026-11-02T20:00:00Z',
      reference: 'CSIRT-N-1',
    });

    const final = await recordFiling(store.db, legal, await nis2('final-report'), {
      filedAt: '2026-11-03T09:00:00Z',
      reference: 'CSIRT-F-1',
    });
    expect(final).toMatchObject({ status: 'met', late: false });
  });

  it('refuses a chained filing before the filing it runs from is recorded, naming it', async () => {
    await overrideRegimes(store.db, legal, id, {
      add: [{ regime: 'nis2', tenantId: null }],
      reason: 'the affected service is an essential entity under NIS2',
    });
    await declared('2026-11-02T08:00:00Z');
    const [final] = (await byRegime('nis2')).filter((c) => c.filing === 'final-report');

    await expect(
      recordFiling(store.db, legal, final?.id ?? '', {
        filedAt: '2026-11-03T09:00:00Z',
        reference: 'CSIRT-F-1',
      }),
    ).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
      message: expect.stringContaining('record the notification filing first'),
    });
  });

  it('refuses to close while notices are drafts or obligations are open', async () => {
    await declared();
    await moveStage(store.db, responder, id, { to: 'stabilize', reason: 'contained' });
    await writePostmortem(store.db, manager, id, {
      summary: 's',
      rootCause: 'r',
      lessons: 'l',
      actions: ['a'],
    });
    const before = await snapshot(store.db);

    await expect(
      moveStage(store.db, manager, id, { to: 'close', reason: 'done' }),
    ).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
      field: 'notices',
    });
    for (const n of await store.db.select().from(notices).where(eq(notices.investigationId, id))) {
      await approveNotice(store.db, manager, n.id);
    }
    await expect(
      moveStage(store.db, manager, id, { to: 'close', reason: 'done' }),
    ).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
      field: 'obligations',
    });
    expect((await snapshot(store.db)).investigations).toEqual(before.investigations);
  });

  it('closes once every obligation is met or decided', async () => {
    await declared();
    await moveStage(store.db, responder, id, { to: 'stabilize', reason: 'contained' });
    await writePostmortem(store.db, manager, id, {
      summary: 's',
      rootCause: 'r',
      lessons: 'l',
      actions: ['a'],
    });
    for (const n of await store.db.select().from(notices).where(eq(notices.investigationId, id))) {
      await approveNotice(store.db, manager, n.id);
    }
    for (const c of await store.db.select().from(clocks).where(eq(clocks.investigationId, id))) {
      await decideObligation(store.db, legal, c.id, {
        decision: 'not_required',
        rationale: 'decided in the test',
      });
    }
    const closed = await moveStage(store.db, manager, id, { to: 'close', reason: 'done' });
    expect(closed.stage).toBe('close');
  });

  it('refuses to rate a declared CRSI as without risk to customer data', async () => {
    await declared();
    await expect(
      rateInvestigation(store.db, responder, id, {
        functionalImpact: 'none',
        informationImpact: ['none'],
        recoverability: 'regular',
        customerDataRisk: 'none',
      }),
    ).rejects.toMatchObject({ code: 'BD_RATING_INVALID', field: 'customerDataRisk' });
  });

  it('answers a second declaration with 409 and keeps the first', async () => {
    await declared();
    await expect(
      declareCrsi(store.db, manager, id, {
        grounds: ['duty_to_notify'],
        evidence: 'a second attempt at declaring the same incident',
      }),
    ).rejects.toMatchObject({ code: 'BD_DECLARE_DUPLICATE', status: 409 });
  });

  it('refuses a declaration without a contact point for the notices', async () => {
    await moveStage(store.db, responder, id, { to: 'diagnose', reason: 'data at risk' });
    const saved = process.env.BREACHDESK_CONTACT_EMAIL;
    delete process.env.BREACHDESK_CONTACT_EMAIL;
    try {
      await expect(
        declareCrsi(store.db, manager, id, {
          grounds: ['unauthorized_access'],
          evidence: 'CloudTrail shows GetObject by the stolen role',
        }),
      ).rejects.toMatchObject({ code: 'BD_DECLARE_INVALID', field: 'notice.contactEmail' });
    } finally {
      process.env.BREACHDESK_CONTACT_EMAIL = saved;
    }
  });
});

describeEachBackend('regime overrides', (backend) => {
  let store: Store;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    id = await openInvestigation(store.db);
  });
  afterEach(() => store.close());

  it('adds a regime with its reason and opens its obligations', async () => {
    await overrideRegimes(store.db, legal, id, {
      add: [{ regime: 'nis2', tenantId: null }],
      reason: 'the affected service is an essential entity under NIS2',
    });
    const filings = (await listClocks(store.db, id)).filter((c) => c.regime === 'nis2');
    expect(filings.map((c) => c.filing).sort()).toEqual([
      'early-warning',
      'final-report',
      'notification',
    ]);
  });

  it('decides a removed regime "not required" with the override reason', async () => {
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
    await rateInvestigation(store.db, responder, id, {
      functionalImpact: 'low',
      informationImpact: ['privacy'],
      recoverability: 'regular',
      customerDataRisk: 'imminent',
    });
    await overrideRegimes(store.db, legal, id, {
      remove: [{ regime: 'gdpr-33-1', tenantId: null }],
      reason: 'no personal data of ours is involved, only tenant data',
    });
    const [authority] = (await listClocks(store.db, id)).filter((c) => c.regime === 'gdpr-33-1');
    expect(authority?.status).toBe('not_required');
    expect(authority?.decision).toMatchObject({
      rationale: expect.stringContaining('only tenant data'),
    });
  });

  it('refuses an unknown regime, naming it, and changes nothing', async () => {
    const before = await snapshot(store.db);
    await expect(
      overrideRegimes(store.db, legal, id, {
        add: [{ regime: 'gdpr-99' }],
        reason: 'a typo in the regime id',
      }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'add[0].regime' });
    expect(await snapshot(store.db)).toEqual(before);
  });
});

describeEachBackend('DORA updated intermediate reports', (backend) => {
  let store: Store;
  let id: string;

  // Europe/Brussels is on CET (UTC+1) throughout: no daylight-saving change in these months.
  // aware 11-02 08:00Z, classified 10:00Z: initial due min(14:00Z, 11-03 08:00Z) = 14:00Z.
  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    id = await openInvestigation(store.db);
    await overrideRegimes(store.db, legal, id, {
      add: [{ regime: 'dora', tenantId: null }],
      reason: 'the affected service is a payment service under DORA',
    });
    await correctMoments(store.db, manager, id, {
      awareAt: '2026-11-02T08:00:00Z',
      classifiedAt: '2026-11-02T10:00:00Z',
      reason: 'classified as major by the incident manager',
    });
  });
  afterEach(() => store.close());

  const dora = async () =>
    Object.fromEntries(
      (await listClocks(store.db, id)).filter((c) => c.regime === 'dora').map((c) => [c.filing, c]),
    );
  const file = async (filing: string, filedAt: string, reference: string) =>
    recordFiling(store.db, legal, (await dora())[filing]?.id ?? '', { filedAt, reference });

  // initial filed 11-02 13:00Z; first intermediate 11-05 12:00Z (within 72 h: due 11-05 13:00Z).
  async function firstReports() {
    await file('initial', '2026-11-02T13:00:00Z', 'ECB-INIT-1');
    await file('intermediate', '2026-11-05T12:00:00Z', 'ECB-INT-1');
  }

  it('runs the final report one month after the first intermediate report', async () => {
    await firstReports();
    // 11-05 12:00Z = 13:00 CET → 12-05 13:00 CET = 12:00Z.
    const { intermediate, final } = await dora();
    expect(intermediate?.due).toBe('2026-11-05T13:00:00.000Z');
    expect(final?.due).toBe('2026-12-05T12:00:00.000Z');
  });

  it('accepts a second and third intermediate report, moving the final after the latest', async () => {
    await firstReports();
    await file('intermediate', '2026-11-20T09:30:00Z', 'ECB-INT-2');
    // 11-20 09:30Z = 10:30 CET → 12-20 10:30 CET = 09:30Z.
    expect((await dora()).final?.due).toBe('2026-12-20T09:30:00.000Z');

    const third = await file('intermediate', '2026-11-30T16:00:00Z', 'ECB-INT-3');
    expect(third).toMatchObject({ report: 3, metAt: '2026-11-05T12:00:00.000Z', late: false });
    // 11-30 16:00Z = 17:00 CET → 12-30 17:00 CET = 16:00Z.
    expect((await dora()).final?.due).toBe('2026-12-30T16:00:00.000Z');
  });

  it('keeps the first intermediate report as the one that met the 72 h limit', async () => {
    await firstReports();
    await file('intermediate', '2026-11-20T09:30:00Z', 'ECB-INT-2');
    const { intermediate } = await dora();
    expect(intermediate).toMatchObject({ metAt: '2026-11-05T12:00:00.000Z', lateSince: null });
    expect(intermediate?.decision).toMatchObject({
      filing: { reference: 'ECB-INT-1' },
      updates: [{ reference: 'ECB-INT-2', filedAt: '2026-11-20T09:30:00.000Z' }],
    });
  });

  it('audits each updated intermediate report with its number in the series', async () => {
    await firstReports();
    await file('intermediate', '2026-11-20T09:30:00Z', 'ECB-INT-2');
    const filed = (await auditEntriesFor(store.db, id))
      .filter((e) => e.action === 'obligation.filed')
      .map((e) => JSON.parse(e.data) as { reference: string; report?: number });
    expect(filed.map((d) => [d.reference, d.report])).toEqual([
      ['ECB-INIT-1', undefined],
      ['ECB-INT-1', undefined],
      ['ECB-INT-2', 2],
    ]);
  });

  it('refuses an updated report dated before the latest one and changes nothing', async () => {
    await firstReports();
    await file('intermediate', '2026-11-20T09:30:00Z', 'ECB-INT-2');
    const before = await snapshot(store.db);
    await expect(file('intermediate', '2026-11-10T09:30:00Z', 'ECB-INT-X')).rejects.toMatchObject({
      code: 'BD_REQUEST_INVALID',
      field: 'filedAt',
    });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses an intermediate report after the final report was filed', async () => {
    await firstReports();
    await file('final', '2026-11-25T10:00:00Z', 'ECB-FINAL');
    await expect(file('intermediate', '2026-11-30T16:00:00Z', 'ECB-INT-2')).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
    });
  });

  it('still records the initial notification once', async () => {
    await firstReports();
    await expect(file('initial', '2026-11-03T13:00:00Z', 'ECB-INIT-2')).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
    });
  });
});

describeEachBackend('obligations across scoping runs', (backend) => {
  let store: Store;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme', 'globex']);
    id = await openInvestigation(store.db);
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
    await moveStage(store.db, responder, id, { to: 'diagnose', reason: 'data at risk' });
  });
  afterEach(() => store.close());

  const controllerOf = async (tenantId: string) =>
    (await listClocks(store.db, id)).find(
      (c) => c.regime === 'gdpr-33-2' && c.tenantId === tenantId,
    );

  it('reopens a duty a narrower scoping run dropped when a broader one re-adds it', async () => {
    await scope(store.db, id, ['acme', 'globex']);
    await scope(store.db, id, ['acme']);
    expect((await controllerOf('globex'))?.status).toBe('not_required');

    await scope(store.db, id, ['acme', 'globex']);
    expect(await controllerOf('globex')).toMatchObject({ status: 'to_decide', decision: null });
  });

  it('audits the reopened duty with the decision it undoes', async () => {
    await scope(store.db, id, ['acme', 'globex']);
    await scope(store.db, id, ['acme']);
    await scope(store.db, id, ['acme', 'globex']);

    const revived = (await auditEntriesFor(store.db, id)).filter(
      (e) => e.action === 'obligation.revived',
    );
    expect(revived.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      expect.objectContaining({
        clockId: (await controllerOf('globex'))?.id,
        status: 'to_decide',
        undone: expect.objectContaining({ decision: 'not_required' }),
      }),
    ]);
  });

  it('keeps a "not required" decided by a person through later scoping runs', async () => {
    await scope(store.db, id, ['acme', 'globex']);
    await decideObligation(store.db, legal, (await controllerOf('globex'))?.id ?? '', {
      decision: 'not_required',
      rationale: 'globex is its own processor for this bucket',
    });
    await scope(store.db, id, ['acme']);
    await scope(store.db, id, ['acme', 'globex']);

    expect((await controllerOf('globex'))?.decision).toMatchObject({
      rationale: 'globex is its own processor for this bucket',
    });
  });
});
