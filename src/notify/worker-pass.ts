/**
 * One pass of the outbox worker: tenants without contacts flagged, deadlines swept, holds due
 * for review flagged, then approved notices, staff alerts and contact test e-mails delivered.
 * `serve`, `worker` and `demo --serve` all run this same pass.
 */
import type { Logger } from 'pino';
import { sweepDeadlines } from '../investigations/deadline-sweep.ts';
import type { Store } from '../store/db.ts';
import { deliverContactTests } from './contact-tests.ts';
import { flagHoldsDueForReview } from './holds.ts';
import { alertTenantsWithoutContacts } from './reachability.ts';
import { deliverStaffAlerts } from './staff-alerts.ts';
import type { Transport } from './transport.ts';
import { deliverDue } from './worker.ts';

export interface WorkerPassOptions {
  log: Logger;
  /** Rethrow a failure (`worker --once`) instead of logging it and trying again next pass. */
  once?: boolean;
  /** The console's address for links in contact test e-mails (docs/tenants.md). */
  consoleUrl?: string;
}

export async function workerPass(
  store: Store,
  transport: Transport,
  opts: WorkerPassOptions,
): Promise<void> {
  const { log } = opts;
  try {
    const unreachable = await alertTenantsWithoutContacts(store.db);
    const deadlines = await sweepDeadlines(store.db);
    await flagHoldsDueForReview(store.db);

    const tally = await deliverDue(store.db, transport, { log });
    const alerts = await deliverStaffAlerts(store.db, transport, { log });
    await deliverContactTests(store.db, transport, { log, consoleUrl: opts.consoleUrl });

    const busy = tally.sent + tally.failed + tally.retrying + tally.uncertain;
    if (unreachable + busy + deadlines.reminders + deadlines.escalations > 0) {
      log.info(
        { category: 'delivery', ...tally, unreachable, alerts, ...deadlines },
        'outbox pass',
      );
    }
  } catch (err) {
    if (opts.once) throw err;
    log.error({ err, category: 'delivery' }, 'outbox pass failed; retrying next interval');
  }
}
