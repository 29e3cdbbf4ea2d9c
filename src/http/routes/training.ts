/**
 * Training records and the on-call rota (docs/training.md). Bodies are checked by the services
 * (src/training/*), which name the bad field, so the CLI and the API refuse alike.
 *
 * Roles (src/auth/policy.ts): admins, incident managers and auditors read and export the
 * training record; admins and incident managers record completions and change the rota; the
 * response roles read the rota. Tenant admins do none of this.
 */
import { z } from 'zod';

import { strictQuery } from '../query.ts';
import { requireActor, type BreachdeskApp, type RouteDeps } from '../server.ts';
import {
  EXPORT_FORMATS,
  EXPORT_ROWS,
  exportTraining,
  trainingRules,
} from '../../training/export.ts';
import { addOnCall, listOnCall, removeOnCall } from '../../training/on-call.ts';
import { listTrainingStatus, recordCompletion } from '../../training/records.ts';

const anyBody = z.record(z.string(), z.unknown());
const at = z.iso.datetime({ offset: true }).optional();

export function registerTrainingRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/training/topics',
    {
      config: { action: 'training.read' },
      schema: { summary: 'The training topics, their versions and the due-date rules' },
    },
    () => trainingRules(),
  );

  app.get(
    '/api/v1/training/status',
    {
      config: { action: 'training.read' },
      schema: {
        summary: 'Where each person on the response side stands per topic; due=1: only gaps',
        querystring: strictQuery({ due: z.enum(['0', '1']).optional(), at }),
      },
    },
    async (request) => {
      const { due, at: when } = request.query;
      const people = await listTrainingStatus(db, {
        at: when === undefined ? undefined : new Date(when),
        dueOnly: due === '1',
      });
      return { people };
    },
  );

  app.post(
    '/api/v1/training/completions',
    {
      config: { action: 'training.record' },
      schema: {
        summary:
          'Record a completion: { person (e-mail or id), topic, version?, completedAt, note? }',
        body: anyBody,
      },
    },
    async (request, reply) => {
      const completion = await recordCompletion(db, requireActor(request), request.body);
      return reply.status(201).send(completion);
    },
  );

  app.get(
    '/api/v1/training/export',
    {
      config: { action: 'training.export' },
      schema: {
        summary: 'The training record for auditors, as CSV (status or completions rows) or JSON',
        querystring: z.object({
          format: z.enum(EXPORT_FORMATS).default('csv'),
          rows: z.enum(EXPORT_ROWS).default('status'),
        }),
      },
    },
    async (request, reply) => {
      const file = await exportTraining(db, requireActor(request), request.query);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .send(file.body);
    },
  );

  app.get(
    '/api/v1/on-call',
    {
      config: { action: 'oncall.read' },
      schema: { summary: 'Shifts on call now or later, with training warnings per person' },
    },
    async () => ({ shifts: await listOnCall(db) }),
  );

  app.post(
    '/api/v1/on-call',
    {
      config: { action: 'oncall.manage' },
      schema: {
        summary: 'Put a person on call: { person, startsAt, endsAt } (≤ 31 days); may warn',
        body: anyBody,
      },
    },
    async (request, reply) => {
      const added = await addOnCall(db, requireActor(request), request.body);
      return reply.status(201).send(added);
    },
  );

  app.delete(
    '/api/v1/on-call/:shiftId',
    {
      config: { action: 'oncall.manage' },
      schema: {
        summary: 'Take a shift off the rota (it stays on record as removed)',
        params: z.object({ shiftId: z.string().max(100) }),
      },
    },
    async (request) => removeOnCall(db, requireActor(request), request.params.shiftId),
  );
}
