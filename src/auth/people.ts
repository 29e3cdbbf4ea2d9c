/**
 * Local accounts: people who sign in to the web UI with an email and a password. Every change
 * is audited in the transaction that makes it; password hashes never leave this module.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { fail } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/types.ts';
import { lineBreakOrControlIn, showsNoText } from '../domain/visible-text.ts';
import { type Conn, type Db, iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { people, tenants } from '../store/schema.ts';
import { checkPasswordRules, hashPassword } from './passwords.ts';
import { announceSessionsEnded } from './session-ends.ts';
import { revokeSessionsOf } from './sessions.ts';

/** A person as shown to administrators: never the password hash. */
export interface PersonView {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  tenantId: string | null;
  hasPassword: boolean;
  createdAt: string;
  disabledAt: string | null;
}

/** A one-time token that lets its holder set the person's password once, before it expires. */
export interface SetPasswordToken {
  token: string;
  expiresAt: string;
}

const SET_PASSWORD_PREFIX = 'bdset_';
const SET_PASSWORD_HOURS = 24;

// Deliberately loose: one @, something on each side, no spaces. Delivery proves the rest.
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

/** The sign-in name for an email as typed: trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export type PersonRow = typeof people.$inferSelect;

export function viewOf(row: PersonRow): PersonView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role as Role,
    tenantId: row.tenantId,
    hasPassword: row.passwordHash !== null,
    createdAt: iso(row.createdAt),
    disabledAt: iso(row.disabledAt),
  };
}

export interface NewPerson {
  email: string;
  displayName: string;
  role: string;
  tenantId?: string | null;
  /** Set at once when given; otherwise a one-time set-password token is issued. */
  password?: string | null;
  by: string;
}

/** Adds a person; returns them and, when no password was given, a one-time set-password token. */
export async function addPerson(
  db: Db,
  input: NewPerson,
): Promise<{ person: PersonView; setPassword: SetPasswordToken | null }> {
  const email = normaliseEmail(input.email);
  if (!EMAIL.test(email)) {
    fail('BD_REQUEST_INVALID', 'email must look like name@example.org', 'email');
  }
  const displayName = input.displayName.normalize('NFC').trim();
  if (displayName.length === 0 || displayName.length > 200 || showsNoText(displayName)) {
    fail('BD_REQUEST_INVALID', 'name must have 1–200 characters and show some text', 'name');
  }
  // The name is printed in terminals and pages: an escape sequence could rewrite what is shown.
  const control = lineBreakOrControlIn(displayName);
  if (control !== null) {
    fail(
      'BD_REQUEST_INVALID',
      `name must be one line without control characters (${control})`,
      'name',
    );
  }
  const role = checkRole(input.role);
  const tenantId = input.tenantId ?? null;
  if ((role === 'tenant_admin') !== (tenantId !== null)) {
    fail('BD_REQUEST_INVALID', 'a tenant_admin needs a tenant, other roles none', 'tenant');
  }
  const password = input.password ?? null;
  if (password !== null) checkPasswordRules(password, email);
  const passwordHash = password === null ? null : await hashPassword(password);

  const now = new Date();
  const id = newId();
  const setPassword = password === null ? newSetPasswordToken(now) : null;
  const row = await db.transaction(async (tx) => {
    if (tenantId !== null) {
      const [t] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
      if (!t) fail('BD_NOT_FOUND', `tenant ${tenantId} not found`, 'tenant');
    }
    const [taken] = await tx.select({ id: people.id }).from(people).where(eq(people.email, email));
    if (taken) fail('BD_REQUEST_INVALID', `a person with email ${email} exists`, 'email');

    const [inserted] = await tx
      .insert(people)
      .values({
        id,
        email,
        displayName,
        role,
        tenantId,
        passwordHash,
        setPasswordTokenHash: setPassword && sha256(setPassword.token),
        setPasswordExpiresAt: setPassword?.expiresAt ?? null,
        createdAt: now.toISOString(),
      })
      .returning();
    await appendAudit(tx, {
      actor: input.by,
      action: 'person.created',
      entityType: 'person',
      entityId: id,
      data: { email, displayName, role, tenantId, passwordSet: passwordHash !== null },
      at: now,
    });
    return inserted as PersonRow;
  });

  return { person: viewOf(row), setPassword };
}

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    fail('BD_REQUEST_INVALID', `role must be one of ${ROLES.join(', ')}`, 'role');
  }
  return role as Role;
}

function newSetPasswordToken(now: Date): SetPasswordToken {
  const token = SET_PASSWORD_PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SET_PASSWORD_HOURS * 3_600_000).toISOString();
  return { token, expiresAt };
}

/** Everyone, oldest first. */
export async function listPeople(db: Db): Promise<PersonView[]> {
  const rows = await db.select().from(people).orderBy(asc(people.createdAt), asc(people.id));
  return rows.map(viewOf);
}

/** The person with `email` (any case), or null. */
export async function personByEmail(conn: Conn, email: string): Promise<PersonRow | null> {
  const [row] = await conn
    .select()
    .from(people)
    .where(eq(people.email, normaliseEmail(email)));
  return row ?? null;
}

/** Disables a person at once: they cannot sign in and their open sessions end. */
export async function disablePerson(db: Db, personId: string, by: string): Promise<PersonView> {
  const now = new Date();
  const { row, ended } = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(people)
      .set({ disabledAt: now.toISOString(), setPasswordTokenHash: null })
      .where(and(eq(people.id, personId), isNull(people.disabledAt)))
      .returning();
    if (!row) fail('BD_NOT_FOUND', `active person ${personId} not found`, 'id');

    const ended = await revokeSessionsOf(tx, personId, now);
    await appendAudit(tx, {
      actor: by,
      action: 'person.disabled',
      entityType: 'person',
      entityId: personId,
      data: { email: row.email, sessionsRevoked: ended.length },
      at: now,
    });
    return { row, ended };
  });

  announceSessionsEnded(ended);
  return viewOf(row);
}

/** Sets a person's password (checked against the rules); their open sessions end. */
export async function setPassword(
  db: Db,
  personId: string,
  password: string,
  by: string,
): Promise<void> {
  const [person] = await db.select().from(people).where(eq(people.id, personId));
  if (!person) fail('BD_NOT_FOUND', `person ${personId} not found`, 'id');
  checkPasswordRules(password, person.email);
  const passwordHash = await hashPassword(password);

  await storePassword(db, person, passwordHash, by, 'administrator');
}

/**
 * Issues a fresh one-time set-password token for a person (replacing any earlier one), e.g.
 * when they forgot their password. The password itself is left as it is until the token is used.
 */
export async function issueSetPasswordToken(
  db: Db,
  personId: string,
  by: string,
): Promise<SetPasswordToken> {
  const now = new Date();
  const issued = newSetPasswordToken(now);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(people)
      .set({
        setPasswordTokenHash: sha256(issued.token),
        setPasswordExpiresAt: issued.expiresAt,
      })
      .where(and(eq(people.id, personId), isNull(people.disabledAt)))
      .returning({ id: people.id });
    if (!row) fail('BD_NOT_FOUND', `active person ${personId} not found`, 'id');

    await appendAudit(tx, {
      actor: by,
      action: 'person.set_password_token_issued',
      entityType: 'person',
      entityId: personId,
      data: { expiresAt: issued.expiresAt },
      at: now,
    });
  });
  return issued;
}

/**
 * Sets a password with a one-time token; the token is spent. An unknown, used or expired
 * token, or one of a disabled person, is refused with the same answer.
 */
export async function setPasswordWithToken(
  db: Db,
  token: string,
  password: string,
): Promise<PersonView> {
  if (!token.startsWith(SET_PASSWORD_PREFIX) || token.length > 200) refuseSetPasswordToken();

  const [person] = await db
    .select()
    .from(people)
    .where(eq(people.setPasswordTokenHash, sha256(token)));
  const expiresAt = person?.setPasswordExpiresAt ?? null;
  if (!person || person.disabledAt !== null || expiresAt === null) refuseSetPasswordToken();
  if (Date.parse(iso(expiresAt)) <= Date.now()) refuseSetPasswordToken();
  checkPasswordRules(password, person.email);
  const passwordHash = await hashPassword(password);

  await storePassword(db, person, passwordHash, `person:${person.email}`, 'set_password_token');
  return viewOf({ ...person, passwordHash });
}

function refuseSetPasswordToken(): never {
  fail('BD_AUTH_REQUIRED', 'the set-password token is unknown, used or expired; ask for a new one');
}

async function storePassword(
  db: Db,
  person: PersonRow,
  passwordHash: string,
  by: string,
  via: 'administrator' | 'set_password_token',
): Promise<void> {
  const now = new Date();
  const ended = await db.transaction(async (tx) => {
    // Matching the token hash again makes a token spent by a concurrent request fail here.
    const tokenStill =
      via === 'set_password_token' && person.setPasswordTokenHash !== null
        ? eq(people.setPasswordTokenHash, person.setPasswordTokenHash)
        : undefined;
    const [row] = await tx
      .update(people)
      .set({ passwordHash, setPasswordTokenHash: null, setPasswordExpiresAt: null })
      .where(and(eq(people.id, person.id), tokenStill))
      .returning({ id: people.id });
    if (!row) fail('BD_AUTH_REQUIRED', 'the set-password token was used meanwhile');

    const ended = await revokeSessionsOf(tx, person.id, now);
    await appendAudit(tx, {
      actor: by,
      action: 'person.password_set',
      entityType: 'person',
      entityId: person.id,
      data: { via, sessionsRevoked: ended.length },
      at: now,
    });
    return ended;
  });

  announceSessionsEnded(ended);
}
