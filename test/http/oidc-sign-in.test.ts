/**
 * OpenID Connect sign-in against a real provider on loopback (oidc-provider): the code flow
 * with PKCE opens the same cookie session a password does, for an existing account only; a
 * replayed callback, a callback this browser did not start, an unverified or unknown e-mail and
 * an unreachable provider are refused with coded errors and open no session.
 */
import { count, eq } from 'drizzle-orm';
import { refusalHtml } from '../../src/http/routes/oidc.ts';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor } from '../../src/audit/log.ts';
import { disablePerson, type PersonView } from '../../src/auth/people.ts';
import type { OidcSettings } from '../../src/auth/oidc.ts';
import type { Store } from '../../src/store/db.ts';
import { oidcLogins, sessions } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  signInAtProvider,
  startTestProvider,
  type TestProvider,
} from '../support/oidc-provider.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson } from '../support/sign-in.ts';

let provider: TestProvider;
beforeAll(async () => {
  provider = await startTestProvider();
});
afterAll(async () => provider.close());

function settingsFor(issuer: string): OidcSettings {
  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    scope: 'openid email',
  };
}

describeEachBackend('OpenID Connect sign-in', (backend) => {
  let store: Store;
  let server: TestServer;
  let ada: PersonView;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store, {
      server: { signIn: { plainHttpCookies: true, oidc: settingsFor(provider.issuer) } },
    });
    ada = await addTestPerson(store.db, { email: 'ada@provider.example', role: 'investigator' });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  /** /start: the provider URL and the state cookie it set. */
  async function start() {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
    expect(res.statusCode).toBe(302);
    const setCookie = String(res.headers['set-cookie']);
    const stateCookie = setCookie.split(';')[0] as string;
    return { location: String(res.headers.location), setCookie, stateCookie };
  }

  function callback(returned: URL, cookie: string | undefined) {
    return server.app.inject({
      method: 'GET',
      url: `${returned.pathname}${returned.search}`,
      headers: cookie === undefined ? {} : { cookie },
    });
  }

  async function sessionCount() {
    const [row] = await store.db.select({ n: count() }).from(sessions);
    return row?.n ?? 0;
  }

  it('shows a browser a refused callback as a page, escaped, and an API client JSON', async () => {
    const url = '/api/v1/auth/oidc/callback?state=x&error=%3Cscript%3E';
    const page = await server.app.inject({
      method: 'GET',
      url,
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(page.statusCode).toBe(401);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Sign-in refused');
    expect(page.body).toContain('the identity provider refused the sign-in (unrecognised)');
    expect(page.body).not.toContain('<script>');
    // Our messages hold no markup today; the page escapes one that would.
    const html = refusalHtml({ code: 'BD_AUTH_REQUIRED', message: `<b>"x" & 'y'</b>` });
    expect(html).toContain('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;');
    expect(html).not.toContain('<b>');
    expect(await sessionCount()).toBe(0);

    const api = await server.app.inject({ method: 'GET', url });
    expect(api.statusCode).toBe(401);
    expect(api.json().error.code).toBe('BD_AUTH_REQUIRED');
  });

  it('tells the sign-in page that a provider is configured', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ password: true, oidc: true });
  });

  it('sends the browser to the provider with a PKCE S256 challenge, state and nonce', async () => {
    const { location, setCookie } = await start();
    const url = new URL(location);

    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(setCookie).toContain(`bd_oidc_state=${url.searchParams.get('state')}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    // The verifier stays on the server: it is nowhere in what the browser gets.
    const [row] = await store.db.select().from(oidcLogins);
    expect(location).not.toContain(row?.codeVerifier);
    expect(setCookie).not.toContain(row?.codeVerifier);
  });

  it('signs in an existing account and the session cookie works', async () => {
    const { location, stateCookie } = await start();
    const returned = await signInAtProvider(location, 'ADA@provider.example');

    const res = await callback(returned, stateCookie);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const cookies = [res.headers['set-cookie']].flat().map(String);
    const session = cookies.find((c) => c.startsWith('bd_session='));
    expect(session).toMatch(/SameSite=Strict/);

    const me = await server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: (session as string).split(';')[0] as string },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().person).toMatchObject({ id: ada.id, role: 'investigator' });

    const logins = (await auditEntriesFor(store.db, ada.id)).filter((e) =>
      e.action.startsWith('auth.'),
    );
    expect(
      logins.map((e) => [e.action, (JSON.parse(e.data) as { method: string }).method]),
    ).toEqual([['auth.login', 'oidc']]);
  });

  it('refuses the same callback twice (the code and the sign-in are used once)', async () => {
    const { location, stateCookie } = await start();
    const returned = await signInAtProvider(location, 'ada@provider.example');
    expect((await callback(returned, stateCookie)).statusCode).toBe(200);

    const again = await callback(returned, stateCookie);
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toMatchObject({ code: 'BD_AUTH_REQUIRED', field: 'state' });
    expect(await sessionCount()).toBe(1);
  });

  it('refuses a callback this browser did not start (no or another state cookie)', async () => {
    const { location } = await start();
    const returned = await signInAtProvider(location, 'ada@provider.example');

    for (const cookie of [undefined, 'bd_oidc_state=someone-elses-state']) {
      const res = await callback(returned, cookie);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ code: 'BD_AUTH_REQUIRED', field: 'state' });
    }
    expect(await sessionCount()).toBe(0);
  });

  it('refuses an identity with no account, or a disabled one, and audits why', async () => {
    await disablePerson(store.db, ada.id, 'test');

    for (const login of ['mallory@elsewhere.example', 'ada@provider.example']) {
      const { location, stateCookie } = await start();
      const res = await callback(await signInAtProvider(location, login), stateCookie);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toMatch(/no Breachdesk account/);
    }

    expect(await sessionCount()).toBe(0);
    const mallory = await auditEntriesFor(store.db, 'mallory@elsewhere.example');
    expect(mallory.map((e) => (JSON.parse(e.data) as { reason: string }).reason)).toEqual([
      'unknown_account',
    ]);
    const disabled = await auditEntriesFor(store.db, 'ada@provider.example');
    expect(disabled.map((e) => (JSON.parse(e.data) as { reason: string }).reason)).toEqual([
      'disabled',
    ]);
  });

  it('refuses an e-mail address the provider does not say is verified', async () => {
    await addTestPerson(store.db, { email: 'unverified@provider.example' });
    const { location, stateCookie } = await start();
    const returned = await signInAtProvider(location, 'unverified@provider.example');

    const res = await callback(returned, stateCookie);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'BD_AUTH_REQUIRED', field: 'email' });
    expect(await sessionCount()).toBe(0);
  });

  it('audits every refused callback with why, and repeats no text the caller sent', async () => {
    const { location, stateCookie } = await start();
    const returned = await signInAtProvider(location, 'ada@provider.example');
    const lure = 'Your account is locked. Call +1-555-0100 now';

    const refused = [
      await callback(returned, undefined),
      await callback(new URL(`${returned.href}&error=${encodeURIComponent(lure)}`), stateCookie),
      await callback(new URL(`${returned.href}&error=access_denied`), stateCookie),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([401, 401, 401]);
    expect(refused[1]?.json().error.message).not.toContain('555');
    expect(refused[1]?.json().error.message).toMatch(/\(unrecognised\)/);
    expect(refused[2]?.json().error.message).toMatch(/\(access_denied\)/);

    const failed = (await auditEntriesFor(store.db, '(unknown)')).map(
      (e) => JSON.parse(e.data) as { method: string; reason: string },
    );
    expect(failed.map((f) => f.method)).toEqual(['oidc', 'oidc', 'oidc']);
    expect(failed[0]?.reason).toMatch(/^state: /);
    expect(failed[1]?.reason).not.toContain('555');
  });

  it('limits the sign-ins one address may start, not the others', async () => {
    const from = (remoteAddress: string) =>
      server.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start', remoteAddress });

    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await from('198.51.100.9')).statusCode);
    expect(statuses.filter((c) => c === 302)).toHaveLength(20);
    expect(statuses.at(-1)).toBe(429);
    expect((await from('203.0.113.4')).statusCode).toBe(302);
  });

  it('refuses a callback whose code was tampered with, and opens no session', async () => {
    const { location, stateCookie } = await start();
    const returned = await signInAtProvider(location, 'ada@provider.example');
    returned.searchParams.set('code', 'forged-code');

    const res = await callback(returned, stateCookie);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/identity provider refused/);
    expect(await sessionCount()).toBe(0);
  });

  it('answers 404 when not configured and 503 when the provider is down', async () => {
    const plain = await startTestServer(store);
    const off = await plain.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
    expect(off.statusCode).toBe(404);
    expect(off.json().error.message).toMatch(/not configured/);
    // The sign-in link is followed by a browser: it reads the refusal as a page.
    const page = await plain.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/start',
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('OpenID Connect sign-in is not configured on this server');
    const methods = await plain.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
    expect(methods.json()).toEqual({ password: true, oidc: false });
    await plain.app.close();

    // A port on loopback that nothing listens on.
    const down = await startTestServer(store, {
      server: { signIn: { oidc: settingsFor('http://127.0.0.1:9') } },
    });
    const res = await down.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('BD_UNAVAILABLE');
    await down.app.close();

    const [pending] = await store.db.select({ n: count() }).from(oidcLogins);
    expect(pending?.n).toBe(0);
    expect(await store.db.select().from(sessions).where(eq(sessions.personId, ada.id))).toEqual([]);
  });
});
