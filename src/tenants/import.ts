/**
 * Loads tenants, the resources they own, their breach contacts and the provider's account
 * team from one JSON description. The whole file is one transaction: a bad entry anywhere
 * leaves the stored tenants exactly as they were.
 */
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import type { Actor } from '../auth/actor.ts';
import { actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { noControls } from '../domain/text-rules.ts';
import { parseOrFail } from '../domain/validate.ts';
import type { Db, Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { reresolveRecipients } from '../notify/recipients.ts';
import { accountTeam, breachContacts, notices, tenantResources, tenants } from '../store/schema.ts';
import { contactAddressKey } from './contact-address.ts';

const LANGUAGES = ['en', 'de', 'fr'] as const;
const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // Names are shown in the console beside its own text: no bidi override may turn that.
    .superRefine(noControls('one'));

// RFC 5321/5322 dot-atom local part (ASCII) and a domain of letters, digits and dashes; IDN
// domains may be given in Unicode. Quoted local parts, comments and groups are refused: they are
// legal, but no breach contact needs one and each is a way to smuggle a second recipient.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

export function isPlainEmail(s: string): boolean {
  const at = s.lastIndexOf('@');
  return at > 0 && LOCAL.test(s.slice(0, at)) && DOMAIN.test(s.slice(at + 1));
}

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .refine(isPlainEmail, 'must be a plain e-mail address such as dpo@example.com');

export const contactSchema = z.object({
  name: oneLine(200),
  email: emailSchema,
  language: z.enum(LANGUAGES).default('en'),
});

// S3 bucket naming rules; a prefix is a bucket name, a slash and a non-empty key prefix.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESOURCE_SHAPES = {
  aws_account: { test: (v: string) => /^\d{12}$/.test(v), shape: 'a 12-digit AWS account id' },
  bucket: { test: (v: string) => BUCKET.test(v), shape: 'an S3 bucket name' },
  bucket_prefix: {
    test: (v: string) => {
      const slash = v.indexOf('/');
      return (
        slash > 0 &&
        BUCKET.test(v.slice(0, slash)) &&
        !/\s/.test(v.slice(slash + 1)) &&
        slash < v.length - 1
      );
    },
    shape: "'bucket/prefix' (an S3 bucket name, a slash, a key prefix)",
  },
} as const;

const resourceSchema = z
  .object({
    kind: z.enum(['aws_account', 'bucket', 'bucket_prefix']),
    value: oneLine(1024),
    dataCategories: z.array(oneLine(200)).max(50).default([]),
  })
  .superRefine((r, ctx) => {
    const rule = RESOURCE_SHAPES[r.kind];
    if (!rule.test(r.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `must be ${rule.shape}` });
    }
  });

const accountTeamSchema = z.object({
  role: z.enum(['support', 'account_manager', 'technical_account_manager']),
  name: oneLine(200),
  email: emailSchema,
});

const tenantSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lower-case letters, digits and dashes'),
  name: oneLine(200),
  language: z.enum(LANGUAGES).default('en'),
  // GDPR Art. 33(2) asks for no undue delay, and the controller has 72 h in all (Art. 33(1)):
  // a processor's contractual window beyond that would leave the controller nothing.
  contractHours: z.number().int().min(1).max(72).nullable().default(null),
  jurisdictions: z.array(oneLine(20)).max(50).default([]),
  sector: oneLine(50).nullable().default(null),
  resources: z.array(resourceSchema).max(10_000).default([]),
  breachContacts: z.array(contactSchema).max(100).default([]),
  accountTeam: z.array(accountTeamSchema).max(100).default([]),
});

const fileSchema = z
  .object({ tenants: z.array(tenantSchema).min(1).max(100_000) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.tenants.forEach((t, i) => {
      if (seen.has(t.id))
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', i, 'id'],
          message: 'appears twice in the file',
        });
      seen.add(t.id);

      const emails = new Set<string>();
      t.breachContacts.forEach((c, j) => {
        const key = contactAddressKey(c.email);
        if (emails.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', i, 'breachContacts', j, 'email'],
            message: 'appears twice for this tenant',
          });
        }
        emails.add(key);
      });
    });
  });

export type TenantDescription = z.output<typeof tenantSchema>;

export interface ImportSummary {
  tenants: number;
  resources: number;
  breachContacts: number;
  accountTeam: number;
}

/**
 * Creates or updates each described tenant. Its resources and account team become exactly
 * what the file says; breach contacts are only added: they belong to the tenant's admin, so an
 * import never removes one (the admin does, through the API).
 */
export async function importTenants(db: Db, input: unknown, actor: Actor): Promise<ImportSummary> {
  assertCan(actor, 'tenants.import');
  const { tenants: list } = parseOrFail(fileSchema, input, 'BD_TENANT_INVALID');
  assertUniqueResources(list);
  const now = new Date().toISOString();
  const summary: ImportSummary = { tenants: 0, resources: 0, breachContacts: 0, accountTeam: 0 };

  await db.transaction(async (tx) => {
    const withNewContacts: string[] = [];
    for (const t of list) {
      const row = {
        name: t.name,
        language: t.language,
        contractHours: t.contractHours,
        jurisdictions: t.jurisdictions,
        sector: t.sector,
      };
      await tx
        .insert(tenants)
        .values({ id: t.id, ...row, createdAt: now })
        .onConflictDoUpdate({ target: tenants.id, set: row });

      await tx.delete(tenantResources).where(eq(tenantResources.tenantId, t.id));
      await tx.delete(accountTeam).where(eq(accountTeam.tenantId, t.id));

      if (t.resources.length > 0) {
        await assertNotOwnedElsewhere(tx, t);
        await tx
          .insert(tenantResources)
          .values(t.resources.map((r) => ({ id: newId(), tenantId: t.id, ...r })));
      }
      const known = await tx
        .select({ email: breachContacts.email })
        .from(breachContacts)
        .where(eq(breachContacts.tenantId, t.id));
      // An address the tenant already has is merged into that contact, never added twice.
      const knownEmails = new Set(known.map((c) => contactAddressKey(c.email)));
      const added = t.breachContacts.filter((c) => !knownEmails.has(contactAddressKey(c.email)));
      if (added.length > 0) {
        await tx
          .insert(breachContacts)
          .values(added.map((c) => ({ id: newId(), tenantId: t.id, ...c, createdAt: now })));
        withNewContacts.push(t.id);
      }
      if (t.accountTeam.length > 0) {
        await tx
          .insert(accountTeam)
          .values(t.accountTeam.map((m) => ({ id: newId(), tenantId: t.id, ...m })));
      }

      summary.tenants += 1;
      summary.resources += t.resources.length;
      summary.breachContacts += added.length;
      summary.accountTeam += t.accountTeam.length;
    }

    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'tenants.imported',
      entityType: 'tenants',
      entityId: '*',
      data: { ...summary, ids: list.map((t) => t.id) },
    });
    // An added contact also gets the tenant's notices not yet sent (notify/recipients.ts).
    for (const tenantId of await withApprovedNotices(tx, withNewContacts)) {
      await reresolveRecipients(tx, tenantId, {
        actor: actorLabel(actor),
        reason: 'breach contacts added by a tenant import',
        at: new Date(),
      });
    }
  });

  return summary;
}

// One query for the whole file: most imports add contacts to tenants with no notice at all.
async function withApprovedNotices(tx: Tx, tenantIds: string[]): Promise<string[]> {
  if (tenantIds.length === 0) return [];
  const rows = await tx
    .selectDistinct({ tenantId: notices.tenantId })
    .from(notices)
    .where(
      and(
        inArray(notices.tenantId, tenantIds),
        eq(notices.audience, 'tenant'),
        eq(notices.status, 'approved'),
      ),
    );
  return rows.map((r) => r.tenantId).sort();
}

// One resource owned twice would make scoping ambiguous: refuse the file instead.
function assertUniqueResources(list: TenantDescription[]): void {
  const owner = new Map<string, string>();
  list.forEach((t, i) => {
    t.resources.forEach((r, j) => {
      const key = `${r.kind}:${r.value}`;
      const other = owner.get(key);
      if (other !== undefined) {
        const field = `tenants[${i}].resources[${j}]`;
        fail(
          'BD_TENANT_INVALID',
          `${field}: ${key} is already listed for tenant ${other}; a resource has one owner`,
          field,
        );
      }
      owner.set(key, t.id);
    });
  });
}

// A resource already owned by a tenant that this file does not mention keeps its owner.
async function assertNotOwnedElsewhere(tx: Tx, t: TenantDescription): Promise<void> {
  const keys = t.resources.map((r) => `${r.kind}:${r.value}`);
  const [clash] = await tx
    .select({
      tenantId: tenantResources.tenantId,
      kind: tenantResources.kind,
      value: tenantResources.value,
    })
    .from(tenantResources)
    .where(
      and(
        ne(tenantResources.tenantId, t.id),
        inArray(sql`${tenantResources.kind} || ':' || ${tenantResources.value}`, keys),
      ),
    )
    .limit(1);
  if (!clash) return;

  fail(
    'BD_TENANT_INVALID',
    `tenant ${t.id}: ${clash.kind}:${clash.value} already belongs to tenant ${clash.tenantId}; ` +
      'a resource has one owner (re-import that tenant without it first)',
    'resources',
  );
}
