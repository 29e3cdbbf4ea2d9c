/**
 * Test e-mails that prove a breach contact's address works: the tenant's admin (or an
 * administrator) queues one, the outbox worker mails it (notify/contact-tests.ts), and the
 * one-time link in it marks the contact confirmed when opened. Only the token's SHA-256 is
 * kept for lookup; a token is spent on first use and lives CONFIRMATION_TTL_MS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { BreachdeskError, fail } from '../domain/errors.ts';
import { type Db, iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { lockTenantRecipients } from '../notify/recipients.ts';
import { breachContacts, contactConfirmations } from '../store/schema.ts';
import { contactAddressKey } from './contact-address.ts';
import { assertTenantVisible, contactOfTenant } from './contacts.ts';

export const CONFIRMATION_TTL_MS = 24 * 60 * 60_000;
/**
 * Test e-mails one address of a tenant may be sent within TEST_WINDOW_MS: enough to retry a
 * typo. Counted by address, not by contact, so removing and re-adding it renews nothing.
 */
export const TESTS_PER_WINDOW = 5;
/** Test e-mails to all of one tenant's addresses within TEST_WINDOW_MS. */
export const TESTS_PER_TENANT_WINDOW = 20;
export const TEST_WINDOW_MS = 60 * 60_000;

const TOKEN_PREFIX = 'bdc_';
const TOKEN_SHAPE = /^bdc_[A-Za-z0-9_-]{43}$/;
const LINK_ACTOR = 'public:confirmation-link';

/** A refusal that tells the client when to try again (sent as Retry-After). */
export class TestEmailLimited extends BreachdeskError {
  constructor(
    readonly retryAfterSeconds: number,
    per: 'address' | 'tenant',
  ) {
    super(
      'BD_RATE_LIMITED',
      per === 'address'
        ? `at most ${TESTS_PER_WINDOW} test e-mails to one address per hour; ` +
            `retry after ${retryAfterSeconds} s`
        : `at most ${TESTS_PER_TENANT_WINDOW} test e-mails to one tenant's contacts per ` +
            `hour; retry after ${retryAfterSeconds} s`,
      per === 'address' ? 'contactId' : 'tenantId',
    );
  }
}

export interface QueuedTest {
  id: string;
  contactId: string;
  queuedAt: string;
  expiresAt: string;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Queues a test e-mail to the contact. The tenant is locked (as for a change of its contacts)
 * while the hour's tests are counted, so two requests at once cannot both take the last one.
 */
export async function requestTestEmail(
  db: Db,
  actor: Actor,
  tenantId: string,
  contactId: string,
  now = new Date(),
): Promise<QueuedTest> {
  await assertTenantVisible(db, actor, tenantId, true);
  await contactOfTenant(db, actor, tenantId, contactId);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = {
    id: newId(),
    tenantId,
    contactId,
    tokenHash: tokenHash(token),
    pendingToken: token,
    requestedBy: actorLabel(actor),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + CONFIRMATION_TTL_MS).toISOString(),
    status: 'queued',
  };

  await db.transaction(async (tx) => {
    await lockTenantRecipients(tx, tenantId, 'no key update');
    const [contact] = await tx
      .select({ email: breachContacts.email })
      .from(breachContacts)
      .where(eq(breachContacts.id, contactId));
    if (!contact) fail('BD_NOT_FOUND', `contact ${contactId} not found`, 'contactId');

    // At most TESTS_PER_TENANT_WINDOW rows can be in the window, so reading them is cheap.
    const since = new Date(now.getTime() - TEST_WINDOW_MS).toISOString();
    const recent = await tx
      .select({ at: contactConfirmations.createdAt, email: contactConfirmations.email })
      .from(contactConfirmations)
      .where(
        and(eq(contactConfirmations.tenantId, tenantId), gt(contactConfirmations.createdAt, since)),
      )
      .orderBy(asc(contactConfirmations.createdAt));
    const key = contactAddressKey(contact.email);
    const toAddress = recent.filter((r) => contactAddressKey(r.email) === key);
    assertUnder(toAddress, TESTS_PER_WINDOW, 'address', now);
    assertUnder(recent, TESTS_PER_TENANT_WINDOW, 'tenant', now);

    await tx.insert(contactConfirmations).values({ ...row, email: contact.email });
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'contact.test_email_queued',
      entityType: 'tenant',
      entityId: tenantId,
      data: { contactId, confirmationId: row.id, email: contact.email },
      at: now,
    });
  });

  return { id: row.id, contactId, queuedAt: row.createdAt, expiresAt: row.expiresAt };
}

// Full when `limit` tests are in the window: free again when the one that makes it full leaves.
function assertUnder(
  recent: { at: string | Date }[],
  limit: number,
  per: 'address' | 'tenant',
  now: Date,
): void {
  const leaving = recent[recent.length - limit];
  if (recent.length < limit || !leaving) return;

  const freeAt = Date.parse(iso(leaving.at)) + TEST_WINDOW_MS;
  throw new TestEmailLimited(Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)), per);
}

/**
 * Spends a confirmation token: the contact it was sent to is confirmed at this instant,
 * provided it still exists with the address the link went to.
 */
export async function confirmContact(
  db: Db,
  token: unknown,
  now = new Date(),
): Promise<{ confirmedAt: string }> {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) {
    fail('BD_CONFIRMATION_INVALID', 'token: not a contact confirmation token', 'token');
  }

  const [c] = await db
    .select()
    .from(contactConfirmations)
    .where(eq(contactConfirmations.tokenHash, tokenHash(token)));
  if (!c) fail('BD_CONFIRMATION_INVALID', 'token: unknown confirmation token', 'token');
  if (c.usedAt !== null) {
    fail('BD_CONFIRMATION_USED', 'token: this confirmation link was already used', 'token');
  }
  if (Date.parse(iso(c.expiresAt)) <= now.getTime()) {
    fail('BD_CONFIRMATION_EXPIRED', 'token: this confirmation link has expired', 'token');
  }
  const at = now.toISOString();

  await db.transaction(async (tx) => {
    // The guard on used_at makes the spend single even for two clicks at once.
    const spent = await tx
      .update(contactConfirmations)
      .set({ usedAt: at, pendingToken: null })
      .where(and(eq(contactConfirmations.id, c.id), isNull(contactConfirmations.usedAt)))
      .returning({ id: contactConfirmations.id });
    if (spent.length === 0) {
      fail('BD_CONFIRMATION_USED', 'token: this confirmation link was already used', 'token');
    }

    const confirmed = await tx
      .update(breachContacts)
      .set({ confirmedAt: at })
      .where(and(eq(breachContacts.id, c.contactId), eq(breachContacts.email, c.email)))
      .returning({ id: breachContacts.id });
    if (confirmed.length === 0) {
      fail(
        'BD_CONFIRMATION_INVALID',
        'token: the contact was removed or its address changed since; send a new test e-mail',
        'token',
      );
    }

    await appendAudit(tx, {
      actor: LINK_ACTOR,
      action: 'contact.confirmed',
      entityType: 'tenant',
      entityId: c.tenantId,
      data: { contactId: c.contactId, confirmationId: c.id, email: c.email },
      at: now,
    });
  });

  return { confirmedAt: at };
}
