/**
 * The one cookie Breachdesk sets, `bd_session`, read and written by hand (RFC 6265) so that no
 * cookie library is needed for a single name. The cookie is HttpOnly (scripts cannot read it),
 * SameSite=Strict (other sites' pages do not send it), Path=/, Secure unless the server was
 * told it runs on plain HTTP on loopback, and never outlives the session.
 */

export const SESSION_COOKIE = 'bd_session';

/**
 * The `bd_session` value in a Cookie header, or null when there is none. Two of them (one
 * planted by a sibling domain, say) is ambiguous and also answers null.
 */
export function readSessionCookie(header: string | undefined): string | null {
  if (header === undefined || header.length > 8192) return null;

  const values: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    values.push(pair.slice(eq + 1).trim());
  }

  if (values.length !== 1) return null;
  const value = values[0] as string;
  // RFC 6265 §4.1.1 allows a value in double quotes.
  const bare = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
  return (bare ? value.slice(1, -1) : value) || null;
}

export interface CookieFlags {
  /** Leave out `Secure`: only for plain HTTP on loopback (tests, development). */
  plainHttp: boolean;
}

/** The Set-Cookie value that hands the browser a session token for `maxAgeSeconds`. */
export function sessionCookie(token: string, maxAgeSeconds: number, flags: CookieFlags): string {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
  ];
  if (!flags.plainHttp) parts.push('Secure');
  return parts.join('; ');
}

/** The Set-Cookie value that makes the browser drop the session cookie. */
export function clearedSessionCookie(flags: CookieFlags): string {
  return sessionCookie('', 0, flags);
}
