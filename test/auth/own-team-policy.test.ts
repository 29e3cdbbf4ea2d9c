/**
 * The policy's `own_team` scope, without a server: team-bound roles reach an investigation's
 * post-mortem only as members of its team, and off the team they are told so (403), not
 * shown a 404 as for objects outside their tenants.
 */
import { expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { AccessDenied, assertCan, inScope, scopeOf } from '../../src/auth/policy.ts';

const ivy: Actor = { id: 'person:ivy@provider.example', role: 'investigator', tenantId: null };
const object = { kind: 'investigation', id: 'inv-1' } as const;
const owner = (team: string[]) => ({ tenantIds: [], team });

function refusal(run: () => void): AccessDenied {
  try {
    run();
  } catch (err) {
    if (err instanceof AccessDenied) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

it('reaches a post-mortem only when the actor id is on the team', () => {
  expect(scopeOf(ivy, 'postmortem.read')).toBe('own_team');
  expect(inScope(ivy, 'postmortem.read', owner([ivy.id]))).toBe(true);
  expect(inScope(ivy, 'postmortem.read', owner(['person:otto@provider.example']))).toBe(false);
  expect(inScope(ivy, 'postmortem.read', { tenantIds: [] })).toBe(false);
});

it('refuses staff off the team with a 403 that says only the team may', () => {
  const err = refusal(() => assertCan(ivy, 'postmortem.read', { object, owner: owner([]) }));

  expect([err.status, err.code]).toEqual([403, 'BD_AUTH_FORBIDDEN']);
  expect(err.message).toContain('only of investigations whose team they are on');
});

it('lets managers and auditors read every post-mortem, team or not', () => {
  for (const role of ['incident_manager', 'executive_incident_manager', 'auditor'] as const) {
    const actor: Actor = { id: `token:${role}`, role, tenantId: null };
    expect(() => assertCan(actor, 'postmortem.read', { object, owner: owner([]) })).not.toThrow();
  }
});

it('hides the investigation from a tenant admin with a 404', () => {
  const ta: Actor = { id: 'token:ta', role: 'tenant_admin', tenantId: 'acme' };
  const err = refusal(() => assertCan(ta, 'postmortem.read', { object, owner: owner([ta.id]) }));

  expect(err.status).toBe(404);
});
