/**
 * OpenID Connect sign-in (authorization code with PKCE, docs/sign-in.md). The provider proves
 * who the person is; Breachdesk still decides what they may do: the verified e-mail address in
 * the ID token must belong to an enabled account made with `breachdesk people add`, whose role
 * applies. Nobody is created on first sign-in, so a provider that lets anyone in cannot hand out
 * roles.
 */
import { createHash } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import * as client from 'openid-client';
import { fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';
import { oidcLogins } from '../store/schema.ts';
import { normaliseEmail } from './people.ts';

export interface OidcSettings {
  /** The provider's issuer URL; its discovery document is read from there. */
  issuer: string;
  clientId: string;
  /** Null for a public client, which proves itself with PKCE alone. */
  clientSecret: string | null;
  /** Where the provider sends the browser back: this server's /api/v1/auth/oidc/callback. */
  redirectUri: string;
  scope: string;
}

/** How long a sign-in may take between leaving for the provider and coming back. */
export const LOGIN_TTL_MS = 10 * 60_000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface OidcClient {
  /** Starts a sign-in: the provider URL to send the browser to, and the state for its cookie. */
  begin(db: Db, now: Date): Promise<{ url: URL; state: string }>;
  /** Finishes one: the verified e-mail address the provider vouches for. */
  finish(db: Db, callbackUrl: URL, state: string, now: Date): Promise<{ email: string }>;
}

/**
 * A client for the settings. Discovery happens on first use and is retried on the next one if
 * the provider was unreachable, so a provider outage does not stop the server from starting.
 */
export function createOidcClient(settings: OidcSettings): OidcClient {
  const issuer = parseIssuer(settings.issuer);
  let config: Promise<client.Configuration> | null = null;

  const configuration = (): Promise<client.Configuration> => {
    config ??= discover(issuer, settings).catch((error: unknown) => {
      config = null;
      throw error;
    });
    return config;
  };

  return {
    async begin(db, now) {
      const conf = await configuration();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();

      await db.transaction(async (tx) => {
        // Sign-ins abandoned half-way are cleared as new ones start.
        await tx.delete(oidcLogins).where(lt(oidcLogins.expiresAt, now.toISOString()));
        await tx.insert(oidcLogins).values({
          id: sha256(state),
          codeVerifier: verifier,
          nonce,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + LOGIN_TTL_MS).toISOString(),
        });
      });

      const url = client.buildAuthorizationUrl(conf, {
        redirect_uri: settings.redirectUri,
        scope: settings.scope,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, state };
    },

    async finish(db, callbackUrl, state, now) {
      const conf = await configuration();

      // Used once: the row is marked before the code is exchanged, so a replayed callback
      // finds nothing to finish even if the first one is still talking to the provider.
      const [login] = await db
        .update(oidcLogins)
        .set({ usedAt: now.toISOString() })
        .where(
          and(
            eq(oidcLogins.id, sha256(state)),
            isNull(oidcLogins.usedAt),
            gt(oidcLogins.expiresAt, now.toISOString()),
          ),
        )
        .returning();
      if (!login) {
        fail(
          'BD_AUTH_REQUIRED',
          'this sign-in is unknown, already used or older than 10 minutes; start again',
          'state',
        );
      }

      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(conf, callbackUrl, {
          pkceCodeVerifier: login.codeVerifier,
          expectedState: state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        fail('BD_AUTH_REQUIRED', `the identity provider refused the sign-in: ${reasonOf(error)}`);
      }

      // Providers may keep scope claims out of the ID token and give them from userinfo only
      // (OpenID Connect Core §5.4); the subject must be the ID token's either way.
      let claims: Record<string, unknown> = tokens.claims() ?? {};
      if (typeof claims.email !== 'string' && typeof claims.sub === 'string') {
        try {
          claims = await client.fetchUserInfo(conf, tokens.access_token, claims.sub);
        } catch (error) {
          fail('BD_AUTH_REQUIRED', `the identity provider's userinfo failed: ${reasonOf(error)}`);
        }
      }
      const email = typeof claims.email === 'string' ? claims.email : '';
      if (email === '' || claims.email_verified !== true) {
        fail(
          'BD_AUTH_REQUIRED',
          'the identity provider did not vouch for an e-mail address (claims email and ' +
            'email_verified); ask its administrator to release them with the email scope',
          'email',
        );
      }

      return { email: normaliseEmail(email) };
    },
  };
}

async function discover(issuer: URL, settings: OidcSettings): Promise<client.Configuration> {
  // Plain HTTP only for a provider on this machine (tests, development).
  const insecure = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
  const auth =
    settings.clientSecret === null
      ? client.None()
      : client.ClientSecretBasic(settings.clientSecret);

  return client.discovery(issuer, settings.clientId, undefined, auth, {
    execute: insecure ? [client.allowInsecureRequests] : [],
    timeout: 10,
  });
}

function parseIssuer(text: string): URL {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // Reported below.
  }

  const loopbackHttp = url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  // An issuer is an https URL with no credentials, query or fragment (OpenID Connect
  // Discovery §2); the provider's tokens name it exactly.
  const plain = url && !url.username && !url.password && !url.search && !text.includes('#');
  if (!url || !plain || (url.protocol !== 'https:' && !loopbackHttp)) {
    fail(
      'BD_CONFIG_INVALID',
      '--oidc-issuer must be an https URL (plain http only on loopback) without credentials, ' +
        `query or fragment, not "${text}"`,
      'oidcIssuer',
    );
  }
  return url;
}

function reasonOf(error: unknown): string {
  const e = error as { error?: unknown; code?: unknown; message?: unknown };
  if (typeof e.error === 'string') return e.error;
  if (typeof e.code === 'string') return e.code;
  return 'invalid response';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Kept for tests that look at the sign-ins under way. */
export const oidcLoginId = sha256;
