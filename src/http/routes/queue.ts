/**
 * The responders' queue (src/investigations/queue.ts). The query string is read by the service
 * itself, so that a bad or unknown field is refused naming that field, whether it was given
 * once or repeated.
 */
import {
  listQueue,
  MAX_PAGE_SIZE,
  OPEN_STAGES,
  parseQueueQuery,
  QUEUE_SORTS,
  UNCLASSIFIED,
} from '../../investigations/queue.ts';
import type { BreachdeskApp, RouteDeps } from '../server.ts';

export function registerQueueRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.get(
    '/api/v1/queue',
    {
      config: { action: 'investigation.read' },
      schema: {
        summary: 'Open investigations with their nearest open deadline, filtered and paged',
        description:
          `Query: stage (${OPEN_STAGES.join('|')}), severity (low|medium|high), classification ` +
          `(a classification or ${UNCLASSIFIED}), each repeatable or comma-separated; ` +
          `sort (${QUEUE_SORTS.join('|')}), order (asc|desc), page (from 1), pageSize ` +
          `(1-${MAX_PAGE_SIZE}). Answers { items, total, page, pageSize, sort, order }.`,
      },
    },
    async (request) => listQueue(db, parseQueueQuery(request.query)),
  );
}
