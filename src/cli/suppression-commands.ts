/**
 * `breachdesk suppressions create|list|revoke` and `breachdesk metrics false-positives`:
 * the rules that mute known false positives, and the figures they are tuned by. The operator
 * acts in the role given by --role (BREACHDESK_ROLE), written into every audit entry.
 */
import { readFile } from 'node:fs/promises';

import { type Command, Option } from 'commander';

import { cliActor } from '../auth/actor.ts';
import { fail } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/types.ts';
import { falsePositiveReport } from '../investigations/false-positives.ts';
import {
  assertRuleReader,
  createSuppressionRule,
  listSuppressionRules,
  revokeSuppressionRule,
  type RuleView,
} from '../investigations/suppressions.ts';
import { withStore } from './data-commands.ts';

const roleOption = (role: Role) =>
  new Option('--role <role>', 'role to act in').choices(ROLES).default(role).env('BREACHDESK_ROLE');

/** A match expression given inline or as @file. */
async function matchArg(value: string): Promise<unknown> {
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch (err) {
    fail('BD_SUPPRESSION_INVALID', `match is not valid JSON: ${(err as Error).message}`, 'match');
  }
}

function describeRule(r: RuleView): string {
  const until = r.state === 'active' ? `until ${r.expiresAt}` : r.state;
  const match = JSON.stringify(r.match);
  return `${r.id}  ${until}  ${r.suppressedSignals} suppressed  ${match}  (${r.owner})`;
}

export function registerSuppressionCommands(program: Command): void {
  const store = () => program.opts();
  const rules = program
    .command('suppressions')
    .description('rules that store and count known false positives without opening anything');

  rules
    .command('create')
    .description('create a rule (every rule expires, at most 365 days ahead)')
    .requiredOption('--match <json>', 'match expression, inline or @file, e.g. {"title":"ET *"}')
    .requiredOption('--reason <text>', 'why these signals are safe to mute')
    .requiredOption('--expires-at <instant>', 'ISO 8601 with offset, e.g. 2026-12-31T00:00:00Z')
    .option('--owner <name>', 'who answers for the rule (default: you)')
    .option('--json', 'print the rule as JSON')
    .addOption(roleOption('incident_manager'))
    .action(
      async (opts: {
        match: string;
        reason: string;
        expiresAt: string;
        owner?: string;
        json?: boolean;
        role: Role;
      }) => {
        const match = await matchArg(opts.match);
        await withStore(store(), async ({ db }) => {
          const rule = await createSuppressionRule(db, cliActor(opts.role), {
            match,
            reason: opts.reason,
            expiresAt: opts.expiresAt,
            ...(opts.owner === undefined ? {} : { owner: opts.owner }),
          });
          console.log(opts.json ? JSON.stringify(rule) : `created ${describeRule(rule)}`);
        });
      },
    );

  rules
    .command('list')
    .description('rules newest first, with the signals each has suppressed')
    .addOption(
      new Option('--state <state>', 'which rules').choices(['active', 'expired', 'revoked', 'all']),
    )
    .option('--json', 'print the rules as JSON')
    .addOption(roleOption('responder'))
    .action(
      async (opts: {
        state?: 'active' | 'expired' | 'revoked' | 'all';
        json?: boolean;
        role: Role;
      }) => {
        assertRuleReader(cliActor(opts.role));
        await withStore(store(), async ({ db }) => {
          const list = await listSuppressionRules(db, { state: opts.state });
          if (opts.json) return console.log(JSON.stringify(list));
          for (const rule of list) console.log(describeRule(rule));
          if (list.length === 0) process.stderr.write('suppressions: no rules\n');
        });
      },
    );

  rules
    .command('revoke')
    .description('revoke an active rule at once; signals are triaged again from now on')
    .argument('<rule>', 'rule id')
    .option('--reason <text>', 'why (kept in the audit log)')
    .option('--json', 'print the rule as JSON')
    .addOption(roleOption('incident_manager'))
    .action(async (id: string, opts: { reason?: string; json?: boolean; role: Role }) => {
      await withStore(store(), async ({ db }) => {
        const body = opts.reason === undefined ? {} : { reason: opts.reason };
        const rule = await revokeSuppressionRule(db, cliActor(opts.role), id, body);
        console.log(opts.json ? JSON.stringify(rule) : `revoked ${describeRule(rule)}`);
      });
    });

  program
    .command('metrics')
    .description('figures for tuning and monitoring')
    .command('false-positives')
    .description('false-positive rate per source kind; signals suppressed per rule')
    .option('--json', 'print the report as JSON')
    .addOption(roleOption('responder'))
    .action(async (opts: { json?: boolean; role: Role }) => {
      assertRuleReader(cliActor(opts.role));
      await withStore(store(), async ({ db }) => {
        const report = await falsePositiveReport(db);
        if (opts.json) return console.log(JSON.stringify(report));

        console.log('source kind            opened  false positive  rate    suppressed');
        for (const k of report.bySourceKind) {
          const rate = `${(k.rate * 100).toFixed(1)} %`;
          console.log(
            `${k.sourceKind.padEnd(22)} ${String(k.opened).padStart(6)}  ` +
              `${String(k.falsePositives).padStart(14)}  ${rate.padStart(7)} ` +
              `${String(k.suppressedSignals).padStart(10)}`,
          );
        }
        for (const r of report.byRule) {
          console.log(`rule ${r.ruleId} (${r.state}): ${r.suppressedSignals} signals suppressed`);
        }
      });
    });
}
