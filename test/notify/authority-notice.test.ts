/**
 * The notice to a supervisory authority (GDPR Art. 33(1)), drafted on request for a recorded
 * obligation and addressed to the mailbox the operator gives, then approved and delivered
 * through the same outbox as every notice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import { listClocks } from '../../src/investigations/clocks.ts';
import { correctMoments, recordFiling } from '../../src/investigations/obligations.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { draftAuthorityNotice, withdrawAuthorityDraft } from '../../src/notify/authority-notice.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { deliverDue, deliveryStatus } from '../../src/notify/worker.ts';
import type { Store } from '../../src/store/db.ts';
import { notices } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import { startTestServer } from '../support/server.ts';
import { declaredInvestigation, manager } from './declared-investigation.ts';

const legal = cliActor('legal', 'lou');
const DPA = { recipientName: 'Data Protection Authority', recipientEmail: 'breach@dpa.example' };

describeEachBackend('authority notices', (backend) => {
  let store: Store;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    id = await declaredInvestigation(store.db, { acme: {} });
    // Aware an hour ago: the 72 h of Art. 33(1) are still running.
    await correctMoments(store.db, manager, id, {
      awareAt: new Date(Date.now() - 3_600_000).toISOString(),
      reason: 'awareness is when the incident manager read the report',
    });
  });
  afterEach(() => store.close());

  const obligation = async (regime: string) =>
    (await listClocks(store.db, id)).find((c) => c.regime === regime)?.id ?? '';
  const authorityNotices = () =>
    store.db
      .select()
      .from(notices)
      .where(and(eq(notices.investigationId, id), eq(notices.audience, 'authority')));

  it('drafts the notice in the authority template, addressed to the mailbox given', async () => {
    const draft = await draftAuthorityNotice(store.db, manager, await obligation('gdpr-33-1'), DPA);

    expect(draft).toMatchObject({ audience: 'authority', status: 'draft', tenantId: 'acme' });
    expect(draft.subject).toContain('GDPR Art. 33');
    expect(draft.facts).toMatchObject({ addressee: { email: 'breach@dpa.example' } });
  });

  it('audits the draft with the obligation it answers and the mailbox', async () => {
    const clockId = await obligation('gdpr-33-1');
    const draft = await draftAuthorityNotice(store.db, manager, clockId, DPA);

    const drafted = (await auditEntriesFor(store.db, id))
      .filter((e) => e.action === 'notice.drafted')
      .map((e) => JSON.parse(e.data) as Record<string, unknown>)
      .find((d) => d.noticeId === draft.id);
    expect(drafted).toMatchObject({ clockId, recipientEmail: 'breach@dpa.example' });
  });

  it('delivers the approved notice to that mailbox only, through the outbox', async () => {
    const draft = await draftAuthorityNotice(store.db, manager, await obligation('gdpr-33-1'), DPA);
    const dir = await mkdtemp(join(tmpdir(), 'bd-authority-'));
    const transport = createTransport({ smtpUrl: null, outboxDir: dir });
    try {
      expect(await approveNotice(store.db, manager, draft.id)).toBe(1);
      await deliverDue(store.db, transport);
    } finally {
      await transport.close();
      await rm(dir, { recursive: true, force: true });
    }

    const sent = (await deliveryStatus(store.db, id)).filter((d) => d.noticeId === draft.id);
    expect(sent.map((d) => [d.recipientKind, d.recipientEmail, d.status])).toEqual([
      ['authority', 'breach@dpa.example', 'sent'],
    ]);
  });

  it('refuses an obligation whose regime the authority template does not word', async () => {
    const before = await snapshot(store.db);
    await expect(
      draftAuthorityNotice(store.db, manager, await obligation('gdpr-33-2'), DPA),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'obligationId' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('asks for the reasons for the delay once the 72 hours have passed', async () => {
    await correctMoments(store.db, manager, id, {
      awareAt: '2026-11-30T10:00:00Z',
      reason: 'the first alert already showed the exfiltration',
    });
    const clockId = await obligation('gdpr-33-1');
    await expect(draftAuthorityNotice(store.db, manager, clockId, DPA)).rejects.toMatchObject({
      code: 'BD_REQUEST_INVALID',
      field: 'delayReasons',
    });

    const because = 'the affected logs could only be restored from tape after four days';
    const draft = await draftAuthorityNotice(store.db, manager, clockId, {
      ...DPA,
      delayReasons: because,
    });
    expect(draft.body).toContain(because);
  });

  it('refuses an obligation already met by a recorded filing', async () => {
    const clockId = await obligation('gdpr-33-1');
    await recordFiling(store.db, legal, clockId, {
      filedAt: new Date().toISOString(),
      reference: 'DPA web form receipt 2026-4471',
    });
    await expect(draftAuthorityNotice(store.db, manager, clockId, DPA)).rejects.toMatchObject({
      code: 'BD_STAGE_PRECONDITION',
    });
  });

  it('redrafts a draft in place when the mailbox is corrected', async () => {
    const clockId = await obligation('gdpr-33-1');
    const first = await draftAuthorityNotice(store.db, manager, clockId, DPA);
    const second = await draftAuthorityNotice(store.db, manager, clockId, {
      ...DPA,
      recipientEmail: 'notifications@dpa.example',
    });

    expect(second.id).toBe(first.id);
    expect((await authorityNotices()).map((n) => n.facts)).toMatchObject([
      { addressee: { email: 'notifications@dpa.example' } },
    ]);
  });

  it('withdraws a draft that will not be sent, keeping the reason in the audit log', async () => {
    const draft = await draftAuthorityNotice(store.db, manager, await obligation('gdpr-33-1'), DPA);
    const reason = 'legal decided we are processor for this data';
    await withdrawAuthorityDraft(store.db, legal, draft.id, { reason });

    expect(await authorityNotices()).toEqual([]);
    const [withdrawn] = (await auditEntriesFor(store.db, id)).filter(
      (e) => e.action === 'notice.drafts_withdrawn',
    );
    expect(JSON.parse(withdrawn?.data ?? '{}')).toMatchObject({ noticeIds: [draft.id], reason });
  });

  it('drafts over HTTP for staff and refuses an auditor', async () => {
    const server = await startTestServer(store);
    try {
      const url = `/api/v1/obligations/${await obligation('gdpr-33-1')}/authority-notice`;
      const auditor = await server.app.inject({
        method: 'POST',
        url,
        headers: server.as('auditor'),
        payload: DPA,
      });
      const im = await server.app.inject({
        method: 'POST',
        url,
        headers: server.as('incident_manager'),
        payload: { ...DPA, language: 'de' },
      });

      expect(auditor.statusCode).toBe(403);
      expect(im.json()).toMatchObject({
        audience: 'authority',
        status: 'draft',
        addressee: { name: DPA.recipientName, email: DPA.recipientEmail },
      });
    } finally {
      await server.app.close();
    }
  });
});

describeEachBackend('authority notices with several tenants affected', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  it('asks which affected tenant the notice concerns, naming them', async () => {
    const id = await declaredInvestigation(store.db, { acme: {}, globex: {} });
    const clock = (await listClocks(store.db, id)).find((c) => c.regime === 'gdpr-33-1');
    await expect(
      draftAuthorityNotice(store.db, manager, clock?.id ?? '', {
        ...DPA,
        delayReasons: 'scope was only known after the second scoping run',
      }),
    ).rejects.toMatchObject({
      code: 'BD_REQUEST_INVALID',
      field: 'tenantId',
      message: expect.stringContaining('acme, globex'),
    });
  });
});
