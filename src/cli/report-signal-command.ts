/**
 * `breachdesk report-signal`: an internal report, an operator escalation or red-team activity
 * from the command line, taken in like any signal (src/intake/reports.ts) with the operator
 * recorded as reporter. Customer reports come from the tenant's own API token, not from here.
 */
import { type Command, Option } from 'commander';

import { cliActor } from '../auth/actor.ts';
import { ROLES, type Role, SEVERITIES } from '../domain/types.ts';
import { submitReport } from '../intake/reports.ts';
import { withStore } from './data-commands.ts';

interface ReportFlags {
  kind: string;
  title: string;
  description?: string;
  occurredAt?: string;
  host?: string;
  principal?: string;
  severity?: string;
  exerciseId?: string;
  json?: boolean;
  role: Role;
}

export function registerReportSignalCommand(program: Command): void {
  program
    .command('report-signal')
    .description('report something seen (internal report, escalation, red-team activity)')
    .addOption(
      new Option('--kind <kind>', 'what sort of report')
        .choices(['internal_report', 'operator_escalation', 'red_team'])
        .default('internal_report'),
    )
    .requiredOption('--title <text>', 'what happened, in one line')
    .option('--description <text>', 'the details')
    .option('--occurred-at <instant>', 'when, ISO 8601 with offset (default: now)')
    .option('--host <name>', 'the machine or service concerned')
    .option('--principal <name>', 'the account or role involved')
    .addOption(new Option('--severity <level>', "the reporter's view").choices(SEVERITIES))
    .option('--exercise-id <id>', 'the red-team exercise (required with --kind red_team)')
    .option('--json', 'print the receipt as JSON')
    .addOption(
      new Option('--role <role>', 'role to act in')
        .choices(ROLES)
        .default('responder')
        .env('BREACHDESK_ROLE'),
    )
    .action(async (opts: ReportFlags) => {
      const body = {
        kind: opts.kind,
        title: opts.title,
        description: opts.description,
        occurredAt: opts.occurredAt,
        host: opts.host,
        principal: opts.principal,
        severity: opts.severity,
        exerciseId: opts.exerciseId,
      };

      await withStore(program.opts(), async ({ db }) => {
        const receipt = await submitReport(db, cliActor(opts.role), body);
        if (opts.json) return console.log(JSON.stringify(receipt));

        const where =
          receipt.status === 'suppressed'
            ? `suppressed by rule ${receipt.ruleId}`
            : `${receipt.opened ? 'opened' : 'joined'} investigation ${receipt.investigationId}`;
        console.log(`report ${receipt.id} (${receipt.kind}): ${where}`);
      });
    });
}
