/**
 * Breach contacts, kept by each tenant's own admin. A tenant admin sees and edits only its
 * own tenant; asking for another tenant's contacts answers "not found", never "forbidden",
 * so that tenant ids cannot be probed (src/auth/policy.ts decides; the refusal is audited).
 * Each change re-resolves, in its transaction, the tenant's notices not yet sent
 * (notify/recipients.ts): a notice goes to the contacts as they are when it is sent.
 */
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { parseOrFail } from '../domain/validate.ts';
import { type Db, iso, type Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { lockTenantRecipients, reresolveRecipients } from '../notify/recipients.ts';
import { breachContacts, tenants } from '../store/schema.ts';
import { contactAddressKey } from './contact-address.ts';
import { contactSchema } from './import.ts';

export interface Contact {
  id: string;
  tenantId: string;
  name: string;
  email: string;
  language: string;
  /** When the contact confirmed its address through a test e-mail's link, if it has. */
  confirmedAt: string | null;
}

export async function assertTenantVisible(db: Db, actor: Actor, tenantId: string, write: boolean) {
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
  assertCan(actor, write ? 'breach_contacts.write' : 'breach_contacts.read', {
    object: { kind: 'tenant', id: tenantId },
    owner: { tenantIds: row ? [row.id] : [] },
  });

  if (!row) fail('BD_NOT_FOUND', `tenant ${tenantId} not found`, 'tenantId');
}

export async function listContacts(db: Db, actor: Actor, tenantId: string): Promise<Contact[]> {
  await assertTenantVisible(db, actor, tenantId, false);

  const rows = await db
    .select({
      id: breachContacts.id,
      tenantId: breachContacts.tenantId,
      name: breachContacts.name,
      email: breachContacts.email,
      language: breachContacts.language,
      confirmedAt: breachContacts.confirmedAt,
    })
    .from(breachContacts)
    .where(eq(breachContacts.tenantId, tenantId))
    .orderBy(asc(breachContacts.createdAt), asc(breachContacts.id));
  return rows.map((r) => ({ ...r, confirmedAt: iso(r.confirmedAt) }));
}

export async function addContact(
  db: Db,
  actor: Actor,
  tenantId: string,
  input: unknown,
): Promise<Contact> {
  await assertTenantVisible(db, actor, tenantId, true);
  refuseUnknownFields(input);
  const c = parseOrFail(contactSchema, input, 'BD_TENANT_INVALID');
  const row = { id: newId(), tenantId, ...c, createdAt: new Date().toISOString() };

  await db.transaction(async (tx) => {
    await lockTenantRecipients(tx, tenantId, 'no key update');
    await assertAddressFree(tx, tenantId, c.email, null);
    await tx.insert(breachContacts).values(row);
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'contact.added',
      entityType: 'tenant',
      entityId: tenantId,
      data: { contactId: row.id, email: c.email },
    });
    await reresolveRecipients(tx, tenantId, {
      actor: actorLabel(actor),
      reason: `breach contact ${row.id} <${c.email}> added`,
      at: new Date(),
    });
  });

  return { id: row.id, tenantId, ...c, confirmedAt: null };
}

// Only the fields given change (no default language creeps in); unknown fields are refused.
const contactEditSchema = z
  .object({
    name: contactSchema.shape.name.optional(),
    email: contactSchema.shape.email.optional(),
    language: contactSchema.shape.language.unwrap().optional(),
  })
  .strict();

/**
 * Refuses an address the tenant already has as another contact: the same mailbox twice would
 * be sent each notice twice and have test e-mails of its own per copy. The caller holds the
 * tenant's lock (lockTenantRecipients), so two requests at once cannot both add it.
 */
async function assertAddressFree(tx: Tx, tenantId: string, email: string, self: string | null) {
  const key = contactAddressKey(email);
  const rows = await tx
    .select({ id: breachContacts.id, email: breachContacts.email })
    .from(breachContacts)
    .where(eq(breachContacts.tenantId, tenantId));
  const other = rows.find((r) => r.id !== self && contactAddressKey(r.email) === key);
  if (!other) return;

  fail(
    'BD_CONTACT_DUPLICATE',
    `email: ${email} is already breach contact ${other.id} of tenant ${tenantId}; ` +
      'change or remove that contact instead',
    'email',
  );
}

const CONTACT_FIELDS = ['name', 'email', 'language'];

/**
 * Refuses a field a breach contact does not have (a tenantId, a role), naming it: silently
 * dropping it would let the caller believe it took effect.
 */
function refuseUnknownFields(input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;

  const unknown = Object.keys(input).find((key) => !CONTACT_FIELDS.includes(key));
  if (unknown !== undefined) {
    fail(
      'BD_TENANT_INVALID',
      `${unknown}: is not a field of a breach contact; give ${CONTACT_FIELDS.join(', ')}`,
      unknown,
    );
  }
}

/** Loads a contact of the tenant, refusing (404, audited) one of another tenant. */
export async function contactOfTenant(db: Db, actor: Actor, tenantId: string, contactId: string) {
  const [contact] = await db.select().from(breachContacts).where(eq(breachContacts.id, contactId));
  if (contact) {
    assertCan(actor, 'breach_contacts.write', {
      object: { kind: 'contact', id: contactId },
      owner: { tenantIds: [contact.tenantId] },
    });
  }
  if (!contact || contact.tenantId !== tenantId) {
    fail('BD_NOT_FOUND', `contact ${contactId} not found`, 'contactId');
  }
  return contact;
}

/**
 * Changes a contact's name, language or address. A new address makes it a new contact (new
 * id, unconfirmed) in the same transaction: messages waiting for the old address are
 * withdrawn and the new one gets its own, as notify/recipients.ts keys them by contact.
 */
export async function editContact(
  db: Db,
  actor: Actor,
  tenantId: string,
  contactId: string,
  input: unknown,
): Promise<Contact> {
  await assertTenantVisible(db, actor, tenantId, true);
  const old = await contactOfTenant(db, actor, tenantId, contactId);
  refuseUnknownFields(input);
  const change = parseOrFail(contactEditSchema, input, 'BD_TENANT_INVALID');
  // An empty change would be audited as a change that changed nothing.
  if (Object.keys(change).length === 0) {
    fail(
      'BD_TENANT_INVALID',
      `nothing to change: give at least one of ${CONTACT_FIELDS.join(', ')}`,
      '(body)',
    );
  }
  const next = {
    name: change.name ?? old.name,
    email: change.email ?? old.email,
    language: change.language ?? old.language,
  };
  const readdressed = contactAddressKey(next.email) !== contactAddressKey(old.email);
  const id = readdressed ? newId() : old.id;
  const confirmedAt = readdressed ? null : iso(old.confirmedAt);

  await db.transaction(async (tx) => {
    await lockTenantRecipients(tx, tenantId, 'no key update');
    if (change.email !== undefined) await assertAddressFree(tx, tenantId, next.email, old.id);
    if (readdressed) {
      await tx.delete(breachContacts).where(eq(breachContacts.id, old.id));
      await tx.insert(breachContacts).values({ id, tenantId, ...next, createdAt: old.createdAt });
    } else {
      await tx.update(breachContacts).set(next).where(eq(breachContacts.id, old.id));
    }

    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'contact.changed',
      entityType: 'tenant',
      entityId: tenantId,
      data: { contactId: old.id, newContactId: id, fields: Object.keys(change).sort() },
    });
    if (readdressed) {
      await reresolveRecipients(tx, tenantId, {
        actor: actorLabel(actor),
        reason: `breach contact ${old.id} readdressed to <${next.email}> as ${id}`,
        at: new Date(),
      });
    }
  });

  return { id, tenantId, ...next, confirmedAt };
}

export async function removeContact(
  db: Db,
  actor: Actor,
  tenantId: string,
  contactId: string,
): Promise<void> {
  await assertTenantVisible(db, actor, tenantId, true);
  // Another tenant's contact, named under one's own tenant, is refused (and audited) like
  // that tenant itself.
  const [contact] = await db
    .select({ tenantId: breachContacts.tenantId })
    .from(breachContacts)
    .where(eq(breachContacts.id, contactId));
  if (contact) {
    assertCan(actor, 'breach_contacts.write', {
      object: { kind: 'contact', id: contactId },
      owner: { tenantIds: [contact.tenantId] },
    });
  }

  await db.transaction(async (tx) => {
    // The tenant first, as every change of its contacts does, so that none waits on another.
    await lockTenantRecipients(tx, tenantId, 'no key update');
    const gone = await tx
      .delete(breachContacts)
      .where(and(eq(breachContacts.id, contactId), eq(breachContacts.tenantId, tenantId)))
      .returning({ id: breachContacts.id });
    if (gone.length === 0) fail('BD_NOT_FOUND', `contact ${contactId} not found`, 'contactId');

    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'contact.removed',
      entityType: 'tenant',
      entityId: tenantId,
      data: { contactId },
    });
    // A message still waiting for this contact must not go out (review 19, item 5).
    await reresolveRecipients(tx, tenantId, {
      actor: actorLabel(actor),
      reason: `breach contact ${contactId} removed`,
      at: new Date(),
    });
  });
}
