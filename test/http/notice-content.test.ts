/**
 * Notice content over HTTP: previews change nothing, hostile templates get a coded 400,
 * follow-ups are drafted through the route, and the regulator report comes as JSON and PDF.
 */
import { PDFDocument } from 'pdf-lib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  noticeOf,
} from '../notify/declared-investigation.ts';

describeEachBackend('notice content over HTTP', (backend) => {
  let store: Store;
  let server: TestServer;
  let investigationId: string;
  let noticeId: string;

  beforeEach(async () => {
    store = await backend.open();
    investigationId = await declaredInvestigation(store.db, { acme: {}, globex: {} });
    noticeId = (await noticeOf(store.db, investigationId, 'acme', 'tenant')).id;
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const post = (url: string, role: string, payload: unknown = {}) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: server.as(role),
      payload: payload as object,
    });

  it('previews a notice in another language and changes nothing', async () => {
    const before = await snapshot(store.db);

    const res = await post(`/api/v1/notices/${noticeId}/preview`, 'responder', { language: 'fr' });

    expect(res.statusCode).toBe(200);
    expect(res.json().subject).toContain('Notification d’une violation');
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('reproduces the stored body and hash when previewed in its own language', async () => {
    const stored = await noticeOf(store.db, investigationId, 'acme', 'tenant');

    const res = await post(`/api/v1/notices/${noticeId}/preview`, 'auditor');

    expect(res.json()).toMatchObject({ body: stored.body, bodySha256: stored.bodySha256 });
  });

  it('hides a notice preview from a tenant admin', async () => {
    const res = await post(`/api/v1/notices/${noticeId}/preview`, 'tenant_admin:acme');

    expect(res.statusCode).toBe(404);
  });

  it('refuses a language without templates', async () => {
    const res = await post(`/api/v1/notices/${noticeId}/preview`, 'responder', { language: 'ja' });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'language' });
  });

  it('renders a user template against sample facts', async () => {
    const res = await post('/api/v1/templates/preview', 'responder', {
      audience: 'tenant',
      language: 'de',
      template: 'Subject: Vorfall {{ ref }}\n\nBetroffen: {{ subjects }}',
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ subject: 'Vorfall INV-0', body: 'Betroffen: etwa 1.200\n' });
  });

  it('renders the shipped template against the facts given', async () => {
    const res = await post('/api/v1/templates/preview', 'responder', {
      audience: 'authority',
      language: 'en',
      facts: { tenantName: 'Initech', delayReasons: 'The logs arrived on day four.' },
    });

    expect(res.json().body).toContain('The logs arrived on day four.');
  });

  it('refuses a template that tries to run code with a coded 400 and changes nothing', async () => {
    const before = await snapshot(store.db);

    const res = await post('/api/v1/templates/preview', 'responder', {
      audience: 'tenant',
      language: 'en',
      template: "Subject: x\n\n{{ constructor.constructor('return process')() }}",
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_TEMPLATE_UNSAFE', field: 'template' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses a template that includes a file', async () => {
    const res = await post('/api/v1/templates/preview', 'responder', {
      audience: 'tenant',
      language: 'en',
      template: "Subject: x\n\n{% include '/etc/passwd' %}",
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BD_TEMPLATE_UNSAFE');
  });

  it('refuses a template with an unknown variable', async () => {
    const res = await post('/api/v1/templates/preview', 'responder', {
      audience: 'tenant',
      language: 'en',
      template: 'Subject: x\n\n{{ password }}',
    });

    expect(res.json().error.code).toBe('BD_TEMPLATE_INVALID');
  });

  it('refuses facts that are inconsistent', async () => {
    const res = await post('/api/v1/templates/preview', 'responder', {
      audience: 'tenant',
      language: 'en',
      facts: { approxRecords: -5 },
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'BD_NOTICE_FACTS_INVALID',
      field: 'approxRecords',
    });
  });

  it('drafts a follow-up of an approved, delivered notice', async () => {
    await approveAndDeliver(store.db, noticeId);

    const res = await post(`/api/v1/notices/${noticeId}/follow-ups`, 'responder', { what: 'news' });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ phase: 2, followsNoticeId: noticeId, status: 'draft' });
  });

  it('refuses a follow-up of a draft with 409 and changes nothing', async () => {
    const before = await snapshot(store.db);

    const res = await post(`/api/v1/notices/${noticeId}/follow-ups`, 'responder', { what: 'news' });

    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('BD_NOTICE_INVALID_STATE');
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('serves the regulator report as JSON by reference', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations/INV-1/report.json',
      headers: server.as('auditor'),
    });

    expect(res.statusCode).toBe(200);
    expect(res.json().investigation).toMatchObject({ id: investigationId, ref: 'INV-1' });
  });

  it('serves the regulator report as a PDF that parses', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/investigations/${investigationId}/report.pdf`,
      headers: server.as('incident_manager'),
    });

    expect(res.headers['content-type']).toBe('application/pdf');
    expect((await PDFDocument.load(res.rawPayload)).getTitle()).toBe('Regulator report INV-1');
  });

  it('hides the regulator report from a tenant admin', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/investigations/${investigationId}/report.json`,
      headers: server.as('tenant_admin:acme'),
    });

    expect(res.statusCode).toBe(404);
  });
});
