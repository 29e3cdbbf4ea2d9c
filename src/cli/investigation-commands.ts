/**
 * Working investigations from the command line: list, show, move, rate, classify, scope,
 * declare, draft authority notices, approve and resend notices and write the post-mortem. The
 * operator acts in the role given by --role (BREACHDESK_ROLE), written into every audit entry.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { cliActor } from '../auth/actor.ts';
import { fail } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/types.ts';
import { getInvestigation, listInvestigations, summarize } from '../investigations/read.ts';
import {
  classifyInvestigation,
  declareCrsi,
  moveStage,
  rateInvestigation,
  resolveInvestigationId,
  writePostmortem,
} from '../investigations/workflow.ts';
import { approveNotice } from '../notify/approve.ts';
import { draftAuthorityNotice, withdrawAuthorityDraft } from '../notify/authority-notice.ts';
import { resendNotice } from '../notify/recipients.ts';
import { withStore } from './data-commands.ts';

const roleOption = () =>
  new Option('--role <role>', 'role to act in')
    .choices(ROLES)
    .default('responder')
    .env('BREACHDESK_ROLE');

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Reads a JSON body given inline or as @file. */
async function jsonArg(value: string, field: string): Promise<unknown> {
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch (err) {
    fail('BD_REQUEST_INVALID', `${field} is not valid JSON: ${(err as Error).message}`, field);
  }
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerInvestigationCommands(program: Command): void {
  const store = () => program.opts();

  program
    .command('list')
    .description('open investigations (with --all, closed ones too)')
    .option('--all', 'include closed investigations')
    .action(async (opts: { all?: boolean }) => {
      // The operator asked for the queue, so all of it: a shortened list would look complete.
      await withStore(store(), async ({ db }) =>
        print((await listInvestigations(db, { includeClosed: opts.all, limit: 'all' })).items),
      );
    });

  // The operator holds the data folder, so the post-mortem is shown; the read is audited.
  program
    .command('show')
    .description('one investigation in full (a post-mortem shown is an audited read)')
    .argument('<investigation>', 'id or INV-n')
    .addOption(roleOption())
    .action(async (ref: string, opts: { role: Role }) => {
      await withStore(store(), async ({ db }) => {
        const reader = { actor: cliActor(opts.role), operator: true };
        print(await getInvestigation(db, await resolveInvestigationId(db, ref), reader));
      });
    });

  program
    .command('move')
    .description('move an investigation to another stage')
    .argument('<investigation>', 'id or INV-n')
    .requiredOption('--to <stage>', 'detect, assess, diagnose, stabilize or close')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .addOption(roleOption())
    .action(async (ref: string, opts: { to: string; reason: string; role: Role }) => {
      await withStore(store(), async ({ db }) => {
        const id = await resolveInvestigationId(db, ref);
        print(
          summarize(
            await moveStage(db, cliActor(opts.role), id, { to: opts.to, reason: opts.reason }),
          ),
        );
      });
    });

  const jsonAction =
    (name: string, action: typeof rateInvestigation) =>
    async (ref: string, body: string, opts: { role: Role }) => {
      await withStore(store(), async ({ db }) => {
        const id = await resolveInvestigationId(db, ref);
        print(summarize(await action(db, cliActor(opts.role), id, await jsonArg(body, name))));
      });
    };

  for (const [name, description, action, defaultRole] of [
    ['rate', 'rate by NIST SP 800-61 factors (JSON or @file)', rateInvestigation, 'responder'],
    ['classify', 'classify (JSON or @file)', classifyInvestigation, 'responder'],
    ['declare', 'declare a CRSI (JSON or @file)', declareCrsi, 'incident_manager'],
    ['postmortem', 'write the post-mortem (JSON or @file)', writePostmortem, 'incident_manager'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<investigation>', 'id or INV-n')
      .argument('<json>', 'the body, inline or as @file')
      .addOption(roleOption().default(defaultRole))
      .action(jsonAction(name, action));
  }

  program
    .command('scope')
    .description('find affected tenants in data-access logs')
    .argument('<investigation>', 'id or INV-n')
    .requiredOption('--logs <path...>', 'files, .gz files or glob patterns')
    .addOption(
      new Option('--format <format>', 'log format')
        .choices(['cloudtrail', 'ndjson'])
        .makeOptionMandatory(),
    )
    .option('--principal <arn>', 'principal to look for (repeatable)', collect, [])
    .option('--source-ip <ip>', 'source IP or CIDR range (repeatable)', collect, [])
    .option('--from <instant>', 'window start, ISO 8601 with offset')
    .option('--to <instant>', 'window end, ISO 8601 with offset')
    .option('--json', 'print the result as JSON')
    .addOption(roleOption())
    .action(
      async (
        ref: string,
        opts: {
          logs: string[];
          format: 'cloudtrail' | 'ndjson';
          principal: string[];
          sourceIp: string[];
          from?: string;
          to?: string;
          json?: boolean;
          role: Role;
        },
      ) => {
        await withStore(store(), async ({ db }) => {
          const id = await resolveInvestigationId(db, ref);
          const indicators = {
            principals: opts.principal,
            sourceIps: opts.sourceIp,
            from: opts.from ?? null,
            to: opts.to ?? null,
          };
          // DuckDB is loaded only by the command that needs it.
          const { scopeInvestigation } = await import('../scoping/run.ts');
          const { result } = await scopeInvestigation(db, cliActor(opts.role), id, {
            paths: opts.logs,
            format: opts.format,
            indicators,
          });
          if (opts.json) return console.log(JSON.stringify(result));

          console.log(
            `${result.files.length} files, ${result.eventsScanned} events scanned, ` +
              `${result.eventsMatched} matched`,
          );
          for (const t of result.tenants) {
            console.log(
              `  ${t.tenantId}: ${t.events} events, ${t.objects} objects, ` +
                `${t.firstAccess} .. ${t.lastAccess}`,
            );
          }
        });
      },
    );

  program
    .command('authority-notice')
    .description('draft the notice to a supervisory authority for an obligation (gdpr-33-1)')
    .argument('<obligation>', 'obligation id, as `show` lists it under clocks')
    .requiredOption('--to-name <name>', 'the authority, as the notice is addressed')
    .requiredOption('--to-email <address>', "the authority's mailbox for breach notifications")
    .option('--tenant <id>', 'the affected tenant whose data it concerns, if several are')
    .addOption(
      new Option('--language <code>', 'language of the notice').choices(['en', 'de', 'fr']),
    )
    .option('--delay-reasons <text>', 'why it comes after the deadline (GDPR Art. 33(1))')
    .option('--what <text>', 'what a supplementary notice adds, once the authority was told')
    .addOption(roleOption().default('incident_manager'))
    .action(
      async (
        clockId: string,
        opts: {
          toName: string;
          toEmail: string;
          tenant?: string;
          language?: string;
          delayReasons?: string;
          what?: string;
          role: Role;
        },
      ) => {
        await withStore(store(), async ({ db }) => {
          const n = await draftAuthorityNotice(db, cliActor(opts.role), clockId, {
            recipientName: opts.toName,
            recipientEmail: opts.toEmail,
            tenantId: opts.tenant,
            language: opts.language,
            delayReasons: opts.delayReasons,
            what: opts.what,
          });
          print({ id: n.id, tenantId: n.tenantId, status: n.status, subject: n.subject });
        });
      },
    );

  program
    .command('withdraw-notice')
    .description('withdraw a draft authority notice that will not be sent')
    .argument('<notice>', 'notice id')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .addOption(roleOption().default('incident_manager'))
    .action(async (noticeId: string, opts: { reason: string; role: Role }) => {
      await withStore(store(), async ({ db }) => {
        await withdrawAuthorityDraft(db, cliActor(opts.role), noticeId, { reason: opts.reason });
        console.log('withdrawn');
      });
    });

  program
    .command('approve')
    .description('approve a draft notice and queue its delivery')
    .argument('<notice>', 'notice id')
    .addOption(roleOption().default('incident_manager'))
    .action(async (noticeId: string, opts: { role: Role }) => {
      await withStore(store(), async ({ db }) => {
        const queued = await approveNotice(db, cliActor(opts.role), noticeId);
        console.log(`approved; ${queued} messages queued`);
      });
    });

  program
    .command('resend-notice')
    .description('send an approved notice to its current recipients that have no message of it')
    .argument('<notice>', 'notice id')
    .addOption(roleOption().default('incident_manager'))
    .action(async (noticeId: string, opts: { role: Role }) => {
      await withStore(store(), async ({ db }) => {
        const queued = await resendNotice(db, cliActor(opts.role), noticeId);
        console.log(`resent; ${queued} messages queued`);
      });
    });
}
