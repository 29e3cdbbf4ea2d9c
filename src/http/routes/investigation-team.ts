/**
 * An investigation's team: who works it (lead or member). The team decides who outside
 * management reads the post-mortem (docs/postmortems.md). The rules, which name the bad field,
 * live in src/investigations/team.ts; the schemas here describe the shape for OpenAPI.
 */
import { z } from 'zod';
import {
  addTeamMember,
  listTeam,
  removeTeamMember,
  TEAM_ROLES,
} from '../../investigations/team.ts';
import { resolveInvestigationId } from '../../investigations/workflow.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const idParams = z.object({ id: z.string().max(100) });

// Fields optional so that a missing one reaches the domain check and its coded answer.
const addBody = z.object({
  person: z.string().optional().describe('e-mail address or person id'),
  teamRole: z
    .string()
    .optional()
    .describe(`one of ${TEAM_ROLES.join(', ')}`),
});

export function registerInvestigationTeamRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/investigations/:id/team',
    {
      config: { action: 'team.read' },
      schema: { summary: "The investigation's current team, leads first", params: idParams },
    },
    async (request) => listTeam(db, await resolveInvestigationId(db, request.params.id)),
  );

  app.post(
    '/api/v1/investigations/:id/team',
    {
      config: { action: 'team.manage' },
      schema: {
        summary: 'Add a person to the team: { person: email or id, teamRole: lead | member }',
        params: idParams,
        body: addBody,
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const id = await resolveInvestigationId(db, request.params.id);
      const added = await addTeamMember(db, actor, id, request.body);
      return reply.status(201).send(added);
    },
  );

  app.delete(
    '/api/v1/investigations/:id/team/:personId',
    {
      config: { action: 'team.manage' },
      schema: {
        summary: 'Take a person off the team (the record of their membership stays)',
        params: z.object({ id: z.string().max(100), personId: z.string().max(320) }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const id = await resolveInvestigationId(db, request.params.id);
      return removeTeamMember(db, actor, id, request.params.personId);
    },
  );
}
