/**
 * The sign-in options of `serve` (docs/sign-in.md): session lengths, the public origin that
 * CSRF checks compare Origin with, and plain-HTTP cookies, which are accepted only when the
 * server listens on loopback (a `Secure` cookie is never sent back over plain HTTP).
 */
import { type Command, Option } from 'commander';
import { fail } from '../domain/errors.ts';
import type { OidcSettings } from '../auth/oidc.ts';
import type { SignInSettings } from '../http/session-auth.ts';

const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';

export interface SignInFlags {
  sessionIdleMinutes: string;
  sessionMaxHours: string;
  publicOrigin?: string;
  plainHttpCookies?: boolean;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcRedirectUri?: string;
  oidcScope: string;
}

/** Adds the sign-in options of `serve`, each also read from a BREACHDESK_* variable. */
export function addSignInOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--session-idle-minutes <m>', 'a session ends after this long without use')
        .env('BREACHDESK_SESSION_IDLE_MINUTES')
        .default('30'),
    )
    .addOption(
      new Option('--session-max-hours <h>', 'a session ends this long after sign-in')
        .env('BREACHDESK_SESSION_MAX_HOURS')
        .default('12'),
    )
    .addOption(
      new Option(
        '--public-origin <url>',
        'origin browsers use, e.g. https://breachdesk.example',
      ).env('BREACHDESK_PUBLIC_ORIGIN'),
    )
    .addOption(
      new Option('--plain-http-cookies', 'cookies without Secure (loopback --host only)').env(
        'BREACHDESK_PLAIN_HTTP_COOKIES',
      ),
    )
    .addOption(
      new Option('--oidc-issuer <url>', 'OpenID Connect provider to sign in with').env(
        'BREACHDESK_OIDC_ISSUER',
      ),
    )
    .addOption(
      new Option('--oidc-client-id <id>', "Breachdesk's client id at the provider").env(
        'BREACHDESK_OIDC_CLIENT_ID',
      ),
    )
    .addOption(
      new Option(
        '--oidc-redirect-uri <url>',
        'callback registered at the provider (default: <public origin>/api/v1/auth/oidc/callback)',
      ).env('BREACHDESK_OIDC_REDIRECT_URI'),
    )
    .addOption(
      new Option('--oidc-scope <scopes>', 'scopes asked for; must release email')
        .env('BREACHDESK_OIDC_SCOPE')
        .default('openid email profile'),
    );
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The server's sign-in settings from the flags; checked before anything is opened. */
export function signInSettingsOf(flags: SignInFlags, host: string): Partial<SignInSettings> {
  const idleMinutes = Number(flags.sessionIdleMinutes);
  if (!Number.isFinite(idleMinutes) || idleMinutes < 1 || idleMinutes > 24 * 60) {
    fail('BD_CONFIG_INVALID', '--session-idle-minutes must be 1–1440', 'sessionIdleMinutes');
  }
  const absoluteHours = Number(flags.sessionMaxHours);
  if (!Number.isFinite(absoluteHours) || absoluteHours < 0.1 || absoluteHours > 24 * 30) {
    fail('BD_CONFIG_INVALID', '--session-max-hours must be 0.1–720', 'sessionMaxHours');
  }
  if (flags.plainHttpCookies && !LOOPBACK.has(host)) {
    fail(
      'BD_CONFIG_INVALID',
      `--plain-http-cookies needs --host on loopback (127.0.0.1, ::1), not ${host}; ` +
        'put TLS in front of any other address',
      'plainHttpCookies',
    );
  }

  const origin = flags.publicOrigin ? originOf(flags.publicOrigin) : null;
  return {
    session: { idleMinutes, absoluteHours },
    plainHttpCookies: Boolean(flags.plainHttpCookies),
    origin,
    oidc: oidcSettingsOf(flags, origin),
  };
}

/**
 * The OpenID Connect settings, or null when no issuer is given. The client secret is read only
 * from BREACHDESK_OIDC_CLIENT_SECRET, never a flag, so that it does not show in process lists;
 * without it the client is public and relies on PKCE.
 */
function oidcSettingsOf(flags: SignInFlags, origin: string | null): OidcSettings | null {
  if (flags.oidcIssuer === undefined) return null;

  if (!flags.oidcClientId) {
    fail('BD_CONFIG_INVALID', '--oidc-issuer needs --oidc-client-id as well', 'oidcClientId');
  }
  const redirect =
    flags.oidcRedirectUri ?? (origin === null ? null : `${origin}${OIDC_CALLBACK_PATH}`);
  if (redirect === null || !isCallbackUrl(redirect)) {
    fail(
      'BD_CONFIG_INVALID',
      `--oidc-redirect-uri must be an https URL (http only on loopback) ending in ` +
        `${OIDC_CALLBACK_PATH}, without query or fragment (or give --public-origin)`,
      'oidcRedirectUri',
    );
  }
  const scopes = flags.oidcScope.split(/\s+/);
  if (!scopes.includes('openid') || !scopes.includes('email')) {
    fail('BD_CONFIG_INVALID', '--oidc-scope must include "openid" and "email"', 'oidcScope');
  }

  return {
    issuer: flags.oidcIssuer,
    clientId: flags.oidcClientId,
    clientSecret: process.env.BREACHDESK_OIDC_CLIENT_SECRET || null,
    redirectUri: redirect,
    scope: flags.oidcScope,
  };
}

function isCallbackUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }

  // RFC 6749 §3.1.2: an absolute URI without a fragment; plain http only on this machine.
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  return (
    (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) &&
    url.pathname === OIDC_CALLBACK_PATH &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '' &&
    !text.includes('#')
  );
}

function originOf(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  } catch {
    // Reported below with the accepted shape.
  }
  fail('BD_CONFIG_INVALID', '--public-origin must be an http(s) URL', 'publicOrigin');
}
