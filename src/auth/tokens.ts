/**
 * API tokens for people and machines. Only a SHA-256 of each token is stored, so a copy of
 * the database does not hand out working tokens; the token itself is shown once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, or } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { fail } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/types.ts';
import type { Db } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { apiTokens, settings, tenants } from '../store/schema.ts';
import type { Actor } from './actor.ts';

const PREFIX = 'bd_';

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewToken {
  id: string;
  token: string;
  role: Role;
  tenantId: string | null;
  /** After this instant the token is refused like a revoked one. */
  expiresAt: string;
}

/**
 * Creates a token for a role (tenant admins are bound to their tenant) that expires after
 * `expiresInDays` (default 90, at most 365).
 */
export async function createToken(
  db: Db,
  opts: {
    label: string;
    role: string;
    tenantId?: string | null;
    createdBy: string;
    expiresInDays?: number;
  },
): Promise<NewToken> {
  const days = opts.expiresInDays ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    fail(
      'BD_REQUEST_INVALID',
      `expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`,
      'expiresInDays',
    );
  }
  if (!(ROLES as readonly string[]).includes(opts.role)) {
    fail('BD_REQUEST_INVALID', `role must be one of ${ROLES.join(', ')}`, 'role');
  }
  const role = opts.role as Role;
  const tenantId = opts.tenantId ?? null;
  if ((role === 'tenant_admin') !== (tenantId !== null)) {
    fail(
      'BD_REQUEST_INVALID',
      'a tenant_admin token needs a tenantId, other roles none',
      'tenantId',
    );
  }
  if (tenantId !== null) {
    const [t] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
    if (!t) fail('BD_NOT_FOUND', `tenant ${tenantId} not found`, 'tenantId');
  }

  const token = PREFIX + randomBytes(32).toString('base64url');
  const id = newId();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  await db.transaction(async (tx) => {
    await tx.insert(apiTokens).values({
      id,
      tokenHash: hashToken(token),
      label: opts.label,
      role,
      tenantId,
      createdAt: now.toISOString(),
      expiresAt,
    });
    await appendAudit(tx, {
      actor: opts.createdBy,
      action: 'token.created',
      entityType: 'token',
      entityId: id,
      data: { label: opts.label, role, tenantId, expiresAt },
      at: now,
    });
  });

  return { id, token, role, tenantId, expiresAt };
}

/** The actor a presented token stands for, or null when it is unknown, revoked or expired. */
export async function actorForToken(db: Db, token: string): Promise<Actor | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;

  const [row] = await db
    .select()
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        isNull(apiTokens.revokedAt),
        // Tokens from before expiry existed have none.
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date().toISOString())),
      ),
    );
  if (!row) return null;

  return { id: `token:${row.label}`, role: row.role as Role, tenantId: row.tenantId };
}

/**
 * Creates the first admin token when the instance has none yet. Returns it once; later calls
 * return null. The marker in settings makes it happen exactly once even across restarts.
 */
export async function ensureFirstAdminToken(db: Db): Promise<NewToken | null> {
  const inserted = await db
    .insert(settings)
    .values({ key: 'first_admin_token_created', value: new Date().toISOString() })
    .onConflictDoNothing()
    .returning();
  if (inserted.length === 0) return null;

  return createToken(db, { label: 'first-admin', role: 'admin', createdBy: 'system:setup' });
}

/** Revokes a token at once; a revoked token never authenticates again. */
export async function revokeToken(db: Db, tokenId: string, by: string): Promise<void> {
  await db.transaction(async (tx) => {
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date().toISOString() })
      .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (revoked.length === 0) fail('BD_NOT_FOUND', `active token ${tokenId} not found`, 'tokenId');

    await appendAudit(tx, {
      actor: by,
      action: 'token.revoked',
      entityType: 'token',
      entityId: tokenId,
    });
  });
}
