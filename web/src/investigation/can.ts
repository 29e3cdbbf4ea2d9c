/**
 * What the signed-in role may do, from the server's own policy table (src/auth/policy-table.ts
 * is pure data). It only decides what the page offers; the server decides what happens.
 */
import { type Action, POLICY } from '../../../src/auth/policy-table.ts';
import type { Role } from '../../../src/domain/types.ts';
import type { Person } from '../session.tsx';

export function can(person: Person | null, action: Action): boolean {
  if (person === null) return false;
  const roles: Partial<Record<Role, string>> = POLICY[action].roles;
  return roles[person.role as Role] !== undefined;
}
