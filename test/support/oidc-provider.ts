/**
 * A real OpenID Connect provider (the `oidc-provider` package) on 127.0.0.1 for sign-in tests,
 * and a small cookie-keeping client that walks its login and consent pages the way a browser
 * would. Any login name is accepted; it becomes the subject and the e-mail address, verified
 * unless it starts with "unverified".
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'breachdesk';
export const CLIENT_SECRET = 'test-client-secret-0123456789abcdef';
export const REDIRECT_URI = 'http://127.0.0.1:7777/api/v1/auth/oidc/callback';

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

/** A provider on loopback; `redirectUris` where it may send the browser back. */
export async function startTestProvider(redirectUris = [REDIRECT_URI]): Promise<TestProvider> {
  let handler: RequestListener = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, email: sub, email_verified: !sub.startsWith('unverified') }),
    }),
    cookies: { keys: ['test-cookie-key-not-secret'] },
    // oidc-provider's own pages for login and consent; fine on loopback in a test.
    features: { devInteractions: { enabled: true } },
  });
  handler = provider.callback();

  return {
    issuer,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A browser's cookie jar, just enough for the provider's pages. */
class Jar {
  private readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * From the provider URL /start redirected to, signs in as `login` and consents, and returns
 * the URL the provider sends the browser back to (the callback, with code and state).
 */
export async function signInAtProvider(authorizeUrl: string, login: string): Promise<URL> {
  const jar = new Jar();
  let url = authorizeUrl;
  let body: URLSearchParams | undefined;

  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, {
      method: body ? 'POST' : 'GET',
      headers: {
        cookie: jar.header(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
      redirect: 'manual',
    });
    jar.take(res);
    body = undefined;

    const location = res.headers.get('location');
    if (location !== null) {
      const next = new URL(location, url);
      if (next.href.startsWith(REDIRECT_URI)) return next;
      url = next.href;
      continue;
    }

    // A page with a form: the login form first, then the consent form.
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`provider page without a form (HTTP ${res.status}): ${html}`);
    url = new URL(action.replaceAll('&amp;', '&'), url).href;
    body = html.includes('name="login"')
      ? new URLSearchParams({ prompt: 'login', login, password: 'any' })
      : new URLSearchParams({ prompt: 'consent' });
  }
  throw new Error('the provider did not send the browser back within 12 steps');
}
