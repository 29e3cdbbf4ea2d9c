/**
 * Investigation routes. Bodies are validated by the domain rules themselves (which name the
 * bad field), so the route schemas only say what shape a client should send.
 */
import { z } from 'zod';
import type { Action } from '../../auth/policy.ts';
import { metrics } from '../../investigations/metrics.ts';
import {
  getInvestigation,
  getPostmortem,
  listInvestigations,
  summarize,
} from '../../investigations/read.ts';
import {
  classifyInvestigation,
  declareCrsi,
  moveStage,
  rateInvestigation,
  resolveInvestigationId,
  writePostmortem,
} from '../../investigations/workflow.ts';
import {
  correctMoments,
  decideObligation,
  overrideRegimes,
  recordFiling,
} from '../../investigations/obligations.ts';
import { assertUnderLogRoots } from '../../scoping/log-roots.ts';
import { scopeInvestigation } from '../../scoping/run.ts';
import { strictQuery, wholeNumber } from '../query.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const idParams = z.object({ id: z.string().max(100) });

export function registerInvestigationRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/investigations',
    {
      config: { action: 'investigation.read' },
      schema: {
        summary: 'Open investigations, most recent activity first',
        description:
          'The first `limit` (default 100, at most 1,000). The `X-Total-Count` header counts ' +
          'every match: when it is larger than the list, page with GET /api/v1/queue.',
        querystring: strictQuery({
          includeClosed: z.enum(['true', 'false']).optional(),
          limit: wholeNumber(1, 1000).optional(),
        }),
      },
    },
    async (request, reply) => {
      const { includeClosed, limit } = request.query;
      const listed = await listInvestigations(db, {
        includeClosed: includeClosed === 'true',
        limit,
      });
      void reply.header('x-total-count', String(listed.total));
      return listed.items;
    },
  );

  app.get(
    '/api/v1/metrics',
    {
      config: { action: 'metrics.read' },
      schema: {
        summary: 'Counts: investigations by stage, obligations open and missed, deliveries',
      },
    },
    async () => metrics(db),
  );

  app.get(
    '/api/v1/investigations/:id',
    {
      config: { action: 'investigation.read' },
      schema: {
        summary: "One investigation in full (id or INV-n), with each tenant's notification state",
        params: idParams,
      },
    },
    async (request) => {
      const reader = { actor: requireActor(request), operator: false };
      return getInvestigation(db, await resolveInvestigationId(db, request.params.id), reader);
    },
  );

  app.get(
    '/api/v1/investigations/:id/postmortem',
    {
      config: { action: 'postmortem.read' },
      schema: {
        summary:
          'The post-mortem of an investigation (null until written): its team, incident ' +
          'managers and auditors only; every read audited',
        params: idParams,
      },
    },
    async (request) => {
      const reader = { actor: requireActor(request), operator: false };
      return getPostmortem(db, reader, await resolveInvestigationId(db, request.params.id));
    },
  );

  const actions = [
    ['transitions', 'investigation.move', 'Move to another stage: { to, reason }', moveStage],
    ['ratings', 'rating.write', 'Rate by NIST SP 800-61 impact factors', rateInvestigation],
    [
      'classification',
      'classification.write',
      'Classify (false positive needs rootCause)',
      classifyInvestigation,
    ],
    [
      'declaration',
      'crsi.declare',
      'Declare a CRSI (incident manager): { grounds, evidence, awareAt? }',
      declareCrsi,
    ],
    [
      'postmortem',
      'postmortem.write',
      'Write the post-mortem: { summary, rootCause, lessons, actions[] }',
      writePostmortem,
    ],
  ] as const satisfies readonly (readonly [string, Action, string, unknown])[];

  for (const [path, permission, summary, action] of actions) {
    app.post(
      `/api/v1/investigations/:id/${path}`,
      {
        config: { action: permission },
        schema: { summary, params: idParams, body: z.record(z.string(), z.unknown()) },
      },
      async (request) => {
        const actor = requireActor(request);
        const id = await resolveInvestigationId(db, request.params.id);
        return summarize(await action(db, actor, id, request.body));
      },
    );
  }

  app.post(
    '/api/v1/investigations/:id/moments',
    {
      config: { action: 'moments.write' },
      schema: {
        summary: 'Record or correct awareness, classification or determination (recomputes clocks)',
        params: idParams,
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const id = await resolveInvestigationId(db, request.params.id);
      return correctMoments(db, actor, id, request.body);
    },
  );

  app.post(
    '/api/v1/investigations/:id/regimes',
    {
      config: { action: 'regimes.override' },
      schema: {
        summary: 'Override which regimes apply: { add: [{regime, tenantId}], remove, reason }',
        params: idParams,
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const id = await resolveInvestigationId(db, request.params.id);
      return overrideRegimes(db, actor, id, request.body);
    },
  );

  const obligationParams = z.object({ obligationId: z.string().max(100) });
  app.post(
    '/api/v1/obligations/:obligationId/decision',
    {
      config: { action: 'obligation.decide' },
      schema: {
        summary: 'Decide an obligation required or not required: { decision, rationale }',
        params: obligationParams,
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const row = await decideObligation(db, actor, request.params.obligationId, request.body);
      return { id: row.id, status: row.status, decision: row.decision };
    },
  );
  app.post(
    '/api/v1/obligations/:obligationId/filing',
    {
      config: { action: 'obligation.file' },
      schema: {
        summary: 'Record a filing made: { filedAt, reference, delayReasons? }',
        params: obligationParams,
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return recordFiling(db, actor, request.params.obligationId, request.body);
    },
  );

  app.post(
    '/api/v1/investigations/:id/scoping',
    {
      config: { action: 'scoping.run' },
      schema: {
        summary: 'Scope affected tenants from data-access logs on the server',
        params: idParams,
        body: z.object({
          paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
          format: z.enum(['cloudtrail', 'ndjson']),
          indicators: z.record(z.string(), z.unknown()),
        }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const id = await resolveInvestigationId(db, request.params.id);
      await assertUnderLogRoots(request.body.paths);
      const { runId, result } = await scopeInvestigation(db, actor, id, request.body);
      return { runId, ...result };
    },
  );
}
