/**
 * Phased notices (GDPR Art. 33(4)) and drafting in the recipients' languages, on the stored
 * data of a declared investigation.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { createFollowUp, noticeReference } from '../../src/notify/phases.ts';
import { sha256 } from '../../src/notify/render.ts';
import type { Store } from '../../src/store/db.ts';
import { auditLog, notices } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  manager,
  noticeOf,
  responder,
  scope,
} from './declared-investigation.ts';

describeEachBackend('follow-up notices', (backend) => {
  let store: Store;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    id = await declaredInvestigation(store.db, { acme: {}, globex: {} });
  });
  afterEach(async () => {
    await store.close();
  });

  async function approvedInitial() {
    const initial = await noticeOf(store.db, id, 'acme', 'tenant');
    await approveAndDeliver(store.db, initial.id);
    return noticeOf(store.db, id, 'acme', 'tenant');
  }

  it('refuses a follow-up while the initial notice has reached no one', async () => {
    const initial = await noticeOf(store.db, id, 'acme', 'tenant');
    await approveNotice(store.db, manager, initial.id);
    await expect(
      createFollowUp(store.db, responder, initial.id, { what: 'more rows' }),
    ).rejects.toMatchObject({ code: 'BD_NOTICE_INVALID_STATE' });
  });

  it('refuses to follow up a draft and changes nothing', async () => {
    const draft = await noticeOf(store.db, id, 'acme', 'tenant');
    const before = await snapshot(store.db);

    await expect(
      createFollowUp(store.db, responder, draft.id, { what: 'more rows' }),
    ).rejects.toMatchObject({ code: 'BD_NOTICE_INVALID_STATE' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('drafts phase 2 for the same tenant and audience, pointing to phase 1', async () => {
    const initial = await approvedInitial();

    const next = await createFollowUp(store.db, responder, initial.id, { what: 'more rows' });

    expect(next).toMatchObject({
      tenantId: 'acme',
      audience: 'tenant',
      phase: 2,
      followsNoticeId: initial.id,
      status: 'draft',
    });
  });

  it('says in its text which initial notice it follows, by date and reference', async () => {
    const initial = await approvedInitial();

    const next = await createFollowUp(store.db, responder, initial.id, { what: 'more rows' });

    const date = (initial.approvedAt ?? '').slice(0, 10);
    expect(next.body).toContain(
      `This notice follows our initial notice of ${date} (reference INV-1/1)`,
    );
    expect(next.body).toContain('What is new\n-----------\nmore rows');
  });

  it('stores the hash of exactly the body it stores', async () => {
    const next = await createFollowUp(store.db, responder, (await approvedInitial()).id, {
      what: 'more rows',
    });

    expect(next.bodySha256).toBe(sha256(next.body));
  });

  it('writes the follow-up into the audit log', async () => {
    const initial = await approvedInitial();
    const next = await createFollowUp(store.db, responder, initial.id, { what: 'more rows' });

    const [entry] = await store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'notice.follow_up_drafted'));
    expect(JSON.parse(entry?.data ?? '{}')).toMatchObject({
      noticeId: next.id,
      followsNoticeId: initial.id,
      phase: 2,
    });
  });

  it('refuses a second follow-up of the same phase and changes nothing', async () => {
    const initial = await approvedInitial();
    await createFollowUp(store.db, responder, initial.id, { what: 'more rows' });
    const before = await snapshot(store.db);

    await expect(
      createFollowUp(store.db, responder, initial.id, { what: 'again' }),
    ).rejects.toMatchObject({ code: 'BD_NOTICE_INVALID_STATE' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('names the initial notice and the latest follow-up from phase 3 on', async () => {
    const initial = await approvedInitial();
    const second = await createFollowUp(store.db, responder, initial.id, { what: 'more rows' });
    await approveNotice(store.db, manager, second.id);

    const third = await createFollowUp(store.db, responder, second.id, { what: 'root cause' });

    expect(third.phase).toBe(3);
    expect(third.body).toContain('(reference INV-1/1) and our latest follow-up of');
    expect(third.body).toContain('(reference INV-1/2)');
  });

  it('refuses an empty "what" and changes nothing', async () => {
    const initial = await approvedInitial();
    const before = await snapshot(store.db);

    await expect(
      createFollowUp(store.db, responder, initial.id, { what: '  ' }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'what' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses an auditor and changes nothing', async () => {
    const initial = await approvedInitial();
    const before = await snapshot(store.db);

    await expect(
      createFollowUp(store.db, cliActor('auditor'), initial.id, { what: 'x' }),
    ).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('keeps a follow-up draft in step with re-scoping and leaves phase 1 as approved', async () => {
    const initial = await approvedInitial();
    const draft = await createFollowUp(store.db, responder, initial.id, { what: 'more rows' });

    await scope(store.db, id, ['acme', 'acme']);

    const [after] = await store.db.select().from(notices).where(eq(notices.id, draft.id));
    expect(after?.body).toContain('reference INV-1/1');
    expect(after?.body).toContain('personal data records: about 2\n');
    expect((await noticeOf(store.db, id, 'acme', 'tenant')).body).toBe(initial.body);
  });

  it('keeps the follow-up draft of a tenant that re-scoping drops', async () => {
    const initial = await approvedInitial();
    const draft = await createFollowUp(store.db, responder, initial.id, { what: 'not affected' });

    await scope(store.db, id, ['globex']);

    const kept = await store.db.select().from(notices).where(eq(notices.id, draft.id));
    expect(kept).toHaveLength(1);
  });
});

describeEachBackend('drafts in the recipients’ languages', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const contact = (language: string, n = 1) => ({
    name: `Contact ${language} ${n}`,
    email: `c${n}-${language}@acme.example`,
    language,
  });

  it("drafts the tenant notice in its contacts' language", async () => {
    const id = await declaredInvestigation(store.db, {
      acme: { language: 'en', breachContacts: [contact('de')] },
    });

    const notice = await noticeOf(store.db, id, 'acme', 'tenant');
    expect(notice.language).toBe('de');
    expect(notice.subject).toContain('Meldung einer Verletzung des Schutzes');
  });

  it("drafts the account-team heads-up in the tenant's language", async () => {
    const id = await declaredInvestigation(store.db, {
      acme: { language: 'fr', breachContacts: [contact('de')] },
    });

    const notice = await noticeOf(store.db, id, 'acme', 'account_team');
    expect(notice.language).toBe('fr');
    expect(notice.body).toContain('ne pas transférer');
  });

  it('carries a version for each contact language, led by the tenant language', async () => {
    const id = await declaredInvestigation(store.db, {
      acme: { language: 'fr', breachContacts: [contact('de', 1), contact('fr', 2)] },
    });

    const notice = await noticeOf(store.db, id, 'acme', 'tenant');
    expect(notice.language).toBe('fr');
    expect(notice.body).toContain('Deutsche Fassung');
  });

  it('stores the facts it rendered from, so a preview can re-render them', async () => {
    const id = await declaredInvestigation(store.db);

    const [row] = await store.db
      .select()
      .from(notices)
      .where(and(eq(notices.investigationId, id), eq(notices.audience, 'tenant')));
    expect(row?.facts).toMatchObject({ investigationRef: 'INV-1', tenantName: 'acme GmbH' });
  });
});

describe('follow-up references', () => {
  it('are written investigation/phase', () => {
    expect(noticeReference(12, 3)).toBe('INV-12/3');
  });
});
