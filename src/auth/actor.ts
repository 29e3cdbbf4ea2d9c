import type { Role } from '../domain/types.ts';

/** Who is acting: a person or machine token, with the role it holds. */
export interface Actor {
  id: string;
  role: Role;
  /** Set for tenant users: the only tenant they may see. */
  tenantId: string | null;
}

/** The label written into audit entries and history rows. */
export function actorLabel(actor: Actor): string {
  return `${actor.id} (${actor.role})`;
}

/** The operator at the command line, who holds the data folder and so every right. */
export function cliActor(role: Role = 'admin', id = process.env.USER ?? 'cli'): Actor {
  return { id: `cli:${id}`, role, tenantId: null };
}
