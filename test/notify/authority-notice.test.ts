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
import {
  correctMoments,
  decideObligation,
  recordFiling,
} from '../../src/investigations/obligations.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { draftAuthorityNotice, withdrawAuthorityDraft } from '../../src/notify/authority-notice.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { deliverDue, deliveryStatus } from '../../src/notify/worker.ts';
import type { Store } from '../../src/store/db.ts';
import { notices } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import { startTestServer } from '../support/server.ts';
import { approveAndDeliver, declaredInvestigation, manager } from './declared-investigation.ts';

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

  it('asks what a notice adds once the obligation was met by a recorded filing', async () => {
    const clockId = await obligation('gdpr-33-1');
    await recordFiling(store.db, legal, clockId, {
      filedAt: new Date().toISOString(),
      reference: 'DPA web form receipt 2026-4471',
    });
    const before = await snapshot(store.db);

    await expect(draftAuthorityNotice(store.db, manager, clockId, DPA)).rejects.toMatchObject({
      code: 'BD_REQUEST_INVALID',
      field: 'what',
    });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('drafts a supplement to a filing recorded by hand, quoting its reference', async () => {
    const clockId = await obligation('gdpr-33-1');
    await recordFiling(store.db, legal, clockId, {
      filedAt: new Date().toISOString(),
      reference: 'DPA web form receipt 2026-4471',
    });

    const draft = await draftAuthorityNotice(store.db, manager, clockId, {
      ...DPA,
      what: 'The exported files also held the customers of acme.',
    });

    expect(draft.subject).toContain('Supplementary notification');
    expect(draft.body).toContain('DPA web form receipt 2026-4471');
  });

  it('still refuses an obligation decided not required', async () => {
    const clockId = await obligation('gdpr-33-1');
    await decideObligation(store.db, legal, clockId, {
      decision: 'not_required',
      rationale: 'the data were encrypted and the key was not exposed (Art. 34(3)(a) analogue)',
    });

    await expect(
      draftAuthorityNotice(store.db, manager, clockId, { ...DPA, what: 'more' }),
    ).rejects.toMatchObject({ code: 'BD_STAGE_PRECONDITION' });
  });

  it('refuses a recipient name with a line break (review 19, item 9)', async () => {
    const clockId = await obligation('gdpr-33-1');
    const before = await snapshot(store.db);

    await expect(
      draftAuthorityNotice(store.db, manager, clockId, {
        ...DPA,
        recipientName: 'CNIL\r\nBcc: evil@attacker.example',
      }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'recipientName' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses a recipient name with another control character or a line separator', async () => {
    const clockId = await obligation('gdpr-33-1');

    for (const recipientName of ['CNIL\u0000', 'CNIL\tSecretariat', 'CNIL\u2028Bcc: x@y.example']) {
      await expect(
        draftAuthorityNotice(store.db, manager, clockId, { ...DPA, recipientName }),
      ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'recipientName' });
    }
  });

  it('refuses a recipient address with a line break', async () => {
    const clockId = await obligation('gdpr-33-1');

    await expect(
      draftAuthorityNotice(store.db, manager, clockId, {
        ...DPA,
        recipientEmail: 'breach@dpa.example\r\nBcc: evil@attacker.example',
      }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'recipientEmail' });
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

describeEachBackend(
  'authority notices once the obligation is met (review 19, item 6)',
  (backend) => {
    let store: Store;
    let id: string;
    let clockId: string;
    /** acme's authority notice, approved, delivered and recorded as the filing. */
    let first: Awaited<ReturnType<typeof draftAuthorityNotice>>;
    const what = 'The same exported files held personal data of globex customers too.';

    beforeEach(async () => {
      store = await backend.open();
      id = await declaredInvestigation(store.db, { acme: {}, globex: {} });
      await correctMoments(store.db, manager, id, {
        awareAt: new Date(Date.now() - 3_600_000).toISOString(),
        reason: 'awareness is when the incident manager read the report',
      });
      clockId = (await listClocks(store.db, id)).find((c) => c.regime === 'gdpr-33-1')?.id ?? '';
      first = await draftAuthorityNotice(store.db, manager, clockId, { ...DPA, tenantId: 'acme' });
      await approveAndDeliver(store.db, first.id);
      await recordFiling(store.db, legal, clockId, {
        filedAt: new Date().toISOString(),
        reference: 'Message-ID of the e-mail to the DPA',
      });
    });
    afterEach(() => store.close());

    it("drafts a supplementary notice for another tenant's data, referring to the first", async () => {
      const draft = await draftAuthorityNotice(store.db, manager, clockId, {
        ...DPA,
        tenantId: 'globex',
        what,
      });

      expect(draft).toMatchObject({ audience: 'authority', tenantId: 'globex', status: 'draft' });
      expect(draft.subject).toContain('Supplementary notification');
      expect(draft.body).toContain(what);
      expect(draft.facts).toMatchObject({ followUp: { initial: { noticeId: first.id } } });
    });

    it('approves and delivers the supplementary notice to the same mailbox', async () => {
      const draft = await draftAuthorityNotice(store.db, manager, clockId, {
        ...DPA,
        tenantId: 'globex',
        what,
      });
      await approveAndDeliver(store.db, draft.id);

      const sent = (await deliveryStatus(store.db, id)).filter((d) => d.noticeId === draft.id);
      expect(sent.map((d) => [d.recipientEmail, d.status])).toEqual([
        ['breach@dpa.example', 'sent'],
      ]);
    });

    it('refuses a second authority notice for a tenant that already has one', async () => {
      const before = await snapshot(store.db);

      await expect(
        draftAuthorityNotice(store.db, manager, clockId, { ...DPA, tenantId: 'acme', what }),
      ).rejects.toMatchObject({ code: 'BD_NOTICE_INVALID_STATE' });
      expect(await snapshot(store.db)).toEqual(before);
    });

    it('asks what the supplementary notice adds', async () => {
      await expect(
        draftAuthorityNotice(store.db, manager, clockId, { ...DPA, tenantId: 'globex' }),
      ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'what' });
    });
  },
);
