/**
 * `breachdesk hold …`: request, approve, release and list notice holds (DESIGN.md §1.6). The
 * operator acts as the person named by --as (BREACHDESK_AS, default the OS user) in the role
 * given by --role (BREACHDESK_ROLE); both go into the audit log, and the person is what the
 * "two different approvers" rule compares. Each command prints the hold(s) as JSON.
 */
import { type Command, Option } from 'commander';
import { cliActor } from '../auth/actor.ts';
import type { Role } from '../domain/types.ts';
import { resolveInvestigationId } from '../investigations/workflow.ts';
import {
  approveHold,
  flagHoldsDueForReview,
  HOLD_GROUNDS,
  listHolds,
  releaseHold,
  requestHold,
} from '../notify/holds.ts';
import { withStore } from './data-commands.ts';

const asOption = () =>
  new Option('--as <name>', 'the person acting (default: the OS user)').env('BREACHDESK_AS');

const roleOption = (choices: Role[], fallback?: Role) => {
  const option = new Option('--role <role>', 'role to act in').choices(choices);
  const withEnv = option.env('BREACHDESK_ROLE');
  return fallback ? withEnv.default(fallback) : withEnv.makeOptionMandatory();
};

const STAFF_ROLES: Role[] = ['incident_manager', 'executive_incident_manager', 'legal'];

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

interface ActorFlags {
  role: Role;
  as?: string;
}

export function registerHoldCommands(program: Command): void {
  const store = () => program.opts();
  const actorOf = (opts: ActorFlags) => cliActor(opts.role, opts.as);
  const hold = program
    .command('hold')
    .description('hold a notice back (needs legal and executive approval by two people)');

  hold
    .command('request')
    .description('request a hold on a notice')
    .argument('<notice>', 'notice id')
    .addOption(
      new Option('--ground <ground>', 'why it may be held')
        .choices(HOLD_GROUNDS)
        .makeOptionMandatory(),
    )
    .requiredOption('--reason <text>', 'the written reason (kept in the audit log)')
    .requiredOption('--review-at <instant>', 'review date, ISO 8601 with offset, within 30 days')
    .addOption(roleOption(STAFF_ROLES, 'incident_manager'))
    .addOption(asOption())
    .action(
      async (
        noticeId: string,
        opts: ActorFlags & { ground: string; reason: string; reviewAt: string },
      ) => {
        await withStore(store(), async ({ db }) => {
          const input = { ground: opts.ground, reason: opts.reason, reviewAt: opts.reviewAt };
          print(await requestHold(db, actorOf(opts), noticeId, input));
        });
      },
    );

  hold
    .command('approve')
    .description('approve a hold in your role; it takes effect once both roles approved')
    .argument('<hold>', 'hold id')
    .addOption(roleOption(['legal', 'executive_incident_manager']))
    .addOption(asOption())
    .action(async (holdId: string, opts: ActorFlags) => {
      await withStore(store(), async ({ db }) => {
        print(await approveHold(db, actorOf(opts), holdId));
      });
    });

  hold
    .command('release')
    .description('release a hold; its notice is then delivered')
    .argument('<hold>', 'hold id')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .addOption(roleOption(STAFF_ROLES, 'incident_manager'))
    .addOption(asOption())
    .action(async (holdId: string, opts: ActorFlags & { reason: string }) => {
      await withStore(store(), async ({ db }) => {
        print(await releaseHold(db, actorOf(opts), holdId, { reason: opts.reason }));
      });
    });

  hold
    .command('list')
    .description("an investigation's holds (reviewDue marks those past their review date)")
    .argument('<investigation>', 'id or INV-n')
    .action(async (ref: string) => {
      await withStore(store(), async ({ db }) => {
        print(await listHolds(db, await resolveInvestigationId(db, ref)));
      });
    });

  hold
    .command('review-due')
    .description('raise a staff alert for each hold past its review date (once per hold)')
    .action(async () => {
      await withStore(store(), async ({ db }) => {
        print({ flagged: await flagHoldsDueForReview(db) });
      });
    });
}
