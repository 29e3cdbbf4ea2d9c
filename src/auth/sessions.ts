/**
 * Server-side sessions for the web UI. The browser holds a random token in a cookie; the
 * database holds only its SHA-256 (the session id), so a copy of the table signs nobody in.
 * A session ends when it is revoked (logout, password change, person disabled), after an idle
 * timeout, or at its absolute expiry, whichever comes first.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Role } from '../domain/types.ts';
import { type Conn, type Db, iso } from '../store/db.ts';
import { people, sessions } from '../store/schema.ts';
import type { Actor } from './actor.ts';

export interface SessionPolicy {
  /** Minutes without a request after which the session ends. */
  idleMinutes: number;
  /** Hours after sign-in at which the session ends, however active. */
  absoluteHours: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMinutes: 30, absoluteHours: 12 };

const PREFIX = 'bds_';
// 'bds_' and 32 random bytes in base64url.
const TOKEN_SHAPE = /^bds_[A-Za-z0-9_-]{43}$/;
// last_seen_at is written at most this often, so reads do not each cost a write.
const TOUCH_EVERY_MS = 60_000;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The CSRF token of a session: derived from the session token, so the server can give it again
 * (GET /api/v1/auth/me) without storing it; only its hash is stored. A page of another site
 * cannot read the cookie and so cannot compute it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('breachdesk csrf v1').digest('base64url');
}

export interface OpenedSession {
  /** The cookie value; shown to the browser once and never stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Opens a session for a person. Call inside the transaction that audits the sign-in. */
export async function openSession(
  tx: Conn,
  personId: string,
  opts: { policy: SessionPolicy; now: Date; userAgent: string | null; address: string | null },
): Promise<OpenedSession> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const csrfToken = csrfTokenFor(token);
  const expiresAt = new Date(opts.now.getTime() + opts.policy.absoluteHours * 3_600_000);

  await tx.insert(sessions).values({
    id: sha256(token),
    personId,
    createdAt: opts.now.toISOString(),
    lastSeenAt: opts.now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    idleTimeoutSeconds: Math.round(opts.policy.idleMinutes * 60),
    csrfTokenHash: sha256(csrfToken),
    userAgent: opts.userAgent?.slice(0, 500) ?? null,
    address: opts.address,
  });
  return { token, csrfToken, expiresAt };
}

/** A live session with the actor it stands for. */
export interface LiveSession {
  id: string;
  actor: Actor;
  personId: string;
  csrfTokenHash: string;
}

/** The session row and its person while the session is live; null otherwise. */
async function liveSessionRow(db: Db, token: string, now: Date) {
  if (!TOKEN_SHAPE.test(token)) return null;

  const [row] = await db
    .select({ session: sessions, person: people })
    .from(sessions)
    .innerJoin(people, eq(people.id, sessions.personId))
    .where(and(eq(sessions.id, sha256(token)), isNull(sessions.revokedAt)));
  if (!row || row.person.disabledAt !== null) return null;

  const at = now.getTime();
  const lastSeen = Date.parse(iso(row.session.lastSeenAt));
  if (at >= Date.parse(iso(row.session.expiresAt))) return null;
  if (at >= lastSeen + row.session.idleTimeoutSeconds * 1000) return null;
  return row;
}

/**
 * The live session a cookie token stands for, or null when the token is malformed, unknown,
 * revoked, idle too long, past its expiry, or its person is disabled. Counts as activity.
 */
export async function sessionForToken(
  db: Db,
  token: string,
  now: Date,
): Promise<LiveSession | null> {
  const row = await liveSessionRow(db, token, now);
  if (row === null) return null;

  const { session, person } = row;
  if (now.getTime() - Date.parse(iso(session.lastSeenAt)) >= TOUCH_EVERY_MS) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now.toISOString() })
      .where(eq(sessions.id, session.id));
  }
  return {
    id: session.id,
    personId: person.id,
    csrfTokenHash: session.csrfTokenHash,
    actor: { id: `person:${person.email}`, role: person.role as Role, tenantId: person.tenantId },
  };
}

/**
 * Whether the session is still live, without counting the look as activity: an event stream
 * held open by a forgotten tab must not keep an idle session alive.
 */
export async function sessionIsLive(db: Db, token: string, now: Date): Promise<boolean> {
  return (await liveSessionRow(db, token, now)) !== null;
}

/** Whether `presented` is the session's CSRF token; compares hashes in constant time. */
export function csrfTokenMatches(session: LiveSession, presented: string): boolean {
  const expected = Buffer.from(session.csrfTokenHash, 'hex');
  const given = Buffer.from(sha256(presented), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Ends one session; true when it was still open. */
export async function revokeSession(conn: Conn, sessionId: string, now: Date): Promise<boolean> {
  const revoked = await conn
    .update(sessions)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length > 0;
}

/** Ends every open session of a person; returns their ids. */
export async function revokeSessionsOf(conn: Conn, personId: string, now: Date): Promise<string[]> {
  const revoked = await conn
    .update(sessions)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(sessions.personId, personId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.map((row) => row.id);
}
