/**
 * The policy's own rules, without a server: who may, how far each role reaches, and which
 * refusal (403 or a hiding 404) a caller gets.
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import {
  AccessDenied,
  ACTIONS,
  assertCan,
  can,
  inScope,
  isPublic,
  ruleOf,
} from '../../src/auth/policy.ts';
import { DECLARING_ROLES } from '../../src/domain/declaration.ts';
import { ROLES, type Role } from '../../src/domain/types.ts';

const as = (role: Role, tenantId: string | null = null, id = `token:${role}`): Actor => ({
  id,
  role,
  tenantId,
});
const acmeAdmin = as('tenant_admin', 'acme');

function refusal(run: () => void): AccessDenied {
  try {
    run();
  } catch (err) {
    if (err instanceof AccessDenied) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('policy', () => {
  it('lets an auditor read only post-mortems, the audit log and notices, and write nothing', () => {
    const allowed = ACTIONS.filter((a) => can(as('auditor'), a) && !isPublic(a));

    expect(allowed).toEqual([
      'auth.me',
      'auth.logout',
      // The console's live updates: a bare "something changed", no content (docs/console.md).
      'events.read',
      'postmortem.read',
      // Which evidence left, under whose approval: the exports' manifests, not the evidence.
      'evidence.read_log',
      'notice.read',
      'notice.preview',
      'report.regulator.read',
      'hold.read',
      'audit.read',
      'clock.compute',
      // Training records are read and exported for audit, never written (docs/training.md).
      'training.read',
      'training.export',
    ]);
  });

  it('lets a reporter only report and read back what it filed', () => {
    const allowed = ACTIONS.filter((a) => can(as('reporter'), a) && !isPublic(a));

    expect(allowed).toEqual([
      'auth.me',
      'auth.logout',
      'intake.send',
      'report.submit',
      'report.read',
      'clock.compute',
    ]);
  });

  it('keeps a tenant admin to its own tenant for every action it may do', () => {
    const scoped = ACTIONS.filter((a) => ruleOf(a).object !== null && can(acmeAdmin, a));

    expect(scoped).toEqual([
      'report.read',
      'notice.read',
      'breach_contacts.read',
      'breach_contacts.write',
    ]);
    for (const action of scoped) expect(ruleOf(action).roles.tenant_admin).toBe('own_tenant');
  });

  it('declares CRSIs with exactly the roles the declaration rule names', () => {
    expect(ROLES.filter((r) => can(as(r), 'crsi.declare'))).toEqual([...DECLARING_ROLES]);
  });

  it('refuses staff without the right with the action’s 403 code', () => {
    const err = refusal(() => assertCan(as('responder'), 'hold.request'));

    expect([err.status, err.code]).toEqual([403, 'BD_HOLD_FORBIDDEN']);
  });

  it('refuses a tenant user on an object as if the object did not exist', () => {
    const object = { kind: 'investigation' as const, id: 'inv-1' };
    const err = refusal(() => assertCan(acmeAdmin, 'investigation.read', { object }));

    expect([err.status, err.code, err.objectId]).toEqual([404, 'BD_NOT_FOUND', 'inv-1']);
  });

  it("hides another tenant's object from its tenant admin but not from staff", () => {
    const object = { kind: 'tenant' as const, id: 'globex' };
    const owner = { tenantIds: ['globex'] };

    expect(
      refusal(() => assertCan(acmeAdmin, 'breach_contacts.read', { object, owner })).status,
    ).toBe(404);
    expect(() => assertCan(as('admin'), 'breach_contacts.read', { object, owner })).not.toThrow();
  });

  it('shows the account team notices of the tenants it serves only', () => {
    const am = as('account_team', null, 'token:am-acme@provider.example');

    expect(inScope(am, 'notice.read', { tenantIds: ['acme'] }, ['acme'])).toBe(true);
    expect(inScope(am, 'notice.read', { tenantIds: ['globex'] }, ['acme'])).toBe(false);
  });

  it('shows a reporter its own reports and no one else’s', () => {
    const rita = as('reporter', null, 'token:rita');

    expect(inScope(rita, 'report.read', { tenantIds: [], actorId: 'token:rita' })).toBe(true);
    expect(inScope(rita, 'report.read', { tenantIds: [], actorId: 'token:bob' })).toBe(false);
  });
});
