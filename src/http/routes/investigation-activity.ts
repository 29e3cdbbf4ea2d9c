/**
 * What happened in an investigation, for the console: its timeline from the audit log and
 * its signals with their observables. Reads only; tenant users never reach them (the
 * investigation.read action is the provider's side only).
 */
import { z } from 'zod';
import { fail } from '../../domain/errors.ts';
import { investigationSignals, SIGNALS_MAX_LIMIT } from '../../investigations/signals-view.ts';
import { investigationTimeline, TIMELINE_MAX_LIMIT } from '../../investigations/timeline.ts';
import { resolveInvestigationId } from '../../investigations/workflow.ts';
import { strictQuery, wholeNumber } from '../query.ts';
import { type BreachdeskApp, type RouteDeps } from '../server.ts';

const idParams = z.object({ id: z.string().max(100) });

export function registerInvestigationActivityRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/investigations/:id/timeline',
    {
      config: { action: 'investigation.read' },
      schema: {
        summary:
          'The audit entries about an investigation and its notices, obligations, holds and ' +
          'signals, oldest first (page with afterSeq = nextAfterSeq), or newest first with ' +
          'order=desc (page with beforeSeq = nextBeforeSeq)',
        params: idParams,
        querystring: strictQuery({
          afterSeq: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
          beforeSeq: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
          order: z.enum(['asc', 'desc']).optional(),
          limit: wholeNumber(1, TIMELINE_MAX_LIMIT).optional(),
        }),
      },
    },
    async (request) => {
      const { afterSeq, beforeSeq, order = 'asc', limit } = request.query;
      // Each order has its own cursor; the other one would silently page the wrong way.
      if (order === 'asc' && beforeSeq !== undefined) {
        fail('BD_REQUEST_INVALID', 'beforeSeq pages order=desc; use afterSeq', 'beforeSeq');
      }
      if (order === 'desc' && afterSeq !== undefined) {
        fail('BD_REQUEST_INVALID', 'afterSeq pages order=asc; use beforeSeq', 'afterSeq');
      }
      const id = await resolveInvestigationId(db, request.params.id);
      return investigationTimeline(db, id, { afterSeq, beforeSeq, order, limit });
    },
  );

  app.get(
    '/api/v1/investigations/:id/signals',
    {
      config: { action: 'investigation.read' },
      schema: {
        summary: "An investigation's signals, newest first, and the observables they name",
        params: idParams,
        querystring: strictQuery({ limit: wholeNumber(1, SIGNALS_MAX_LIMIT).optional() }),
      },
    },
    async (request) => {
      const id = await resolveInvestigationId(db, request.params.id);
      return investigationSignals(db, id, request.query);
    },
  );
}
