/**
 * `breachdesk evidence …`: approve and revoke evidence exports (incident managers), export
 * under an approval into a new folder, and list an investigation's approvals and exports
 * (docs/evidence.md). The operator acts as --as (BREACHDESK_AS, default the OS user) in the
 * role --role (BREACHDESK_ROLE); both go into the audit log and the approval.
 */
import { type Command, Option } from 'commander';
import { cliActor } from '../auth/actor.ts';
import { ROLES, type Role } from '../domain/types.ts';
import {
  approveEvidenceExport,
  listEvidenceApprovals,
  revokeEvidenceApproval,
} from '../evidence/approvals.ts';
import { exportEvidence, listEvidenceExports } from '../evidence/export.ts';
import { assertOutFolderFree, writePackageFolder } from '../evidence/package-folder.ts';
import { resolveInvestigationId } from '../investigations/workflow.ts';
import { withStore } from './data-commands.ts';

const asOption = () =>
  new Option('--as <name>', 'the person acting (default: the OS user)').env('BREACHDESK_AS');

const roleOption = (fallback: Role) =>
  new Option('--role <role>', 'role to act in')
    .choices(ROLES)
    .default(fallback)
    .env('BREACHDESK_ROLE');

const list = (value: string, prev: string[] = []) => [
  ...prev,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

interface ActorFlags {
  role: Role;
  as?: string;
}

interface ApproveFlags extends ActorFlags {
  kinds: string[];
  item?: string[];
  reason: string;
  recipient: string;
  expiresAt?: string;
}

interface ExportFlags extends ActorFlags {
  approval: string;
  out: string;
  kinds?: string[];
  json?: boolean;
}

export function registerEvidenceCommands(program: Command): void {
  const store = () => program.opts();
  const actorOf = (opts: ActorFlags) => cliActor(opts.role, opts.as);
  const evidence = program
    .command('evidence')
    .description('evidence leaving the system: approvals and exports (docs/evidence.md)');

  evidence
    .command('approve')
    .description('record an incident manager approval for evidence of an investigation to leave')
    .argument('<investigation>', 'id or INV-n')
    .requiredOption('--kinds <list>', 'files, signals, scoping (comma-separated)', list)
    .option('--item <id>', 'only this evidence file, signal or scoping run (repeatable)', list)
    .requiredOption('--reason <text>', 'why the evidence may leave (10 to 2000 characters)')
    .requiredOption('--recipient <who>', 'for whom (1 to 200 characters)')
    .option('--expires-at <instant>', 'ISO 8601 with offset; default 7 days, at most 30')
    .addOption(roleOption('incident_manager'))
    .addOption(asOption())
    .action(async (ref: string, opts: ApproveFlags) => {
      await withStore(store(), async ({ db }) => {
        const id = await resolveInvestigationId(db, ref);
        const scope = opts.item ? { kinds: opts.kinds, itemIds: opts.item } : { kinds: opts.kinds };
        const input = {
          scope,
          reason: opts.reason,
          recipient: opts.recipient,
          ...(opts.expiresAt === undefined ? {} : { expiresAt: opts.expiresAt }),
        };
        print(await approveEvidenceExport(db, actorOf(opts), id, input));
      });
    });

  evidence
    .command('revoke')
    .description('revoke an approval; no export is made under it again')
    .argument('<investigation>', 'id or INV-n')
    .requiredOption('--approval <id>', 'the approval to revoke')
    .option('--reason <text>', 'why (kept in the audit log)')
    .addOption(roleOption('incident_manager'))
    .addOption(asOption())
    .action(async (ref: string, opts: ActorFlags & { approval: string; reason?: string }) => {
      await withStore(store(), async ({ db }) => {
        const id = await resolveInvestigationId(db, ref);
        const input = opts.reason === undefined ? {} : { reason: opts.reason };
        print(await revokeEvidenceApproval(db, actorOf(opts), id, opts.approval, input));
      });
    });

  evidence
    .command('export')
    .description('write the evidence an approval covers into a new folder, with MANIFEST.json')
    .argument('<investigation>', 'id or INV-n')
    .requiredOption('--approval <id>', 'the approval to export under')
    .requiredOption('--out <dir>', 'a new or empty folder to write the package to')
    .option('--kinds <list>', 'only these approved kinds (comma-separated)', list)
    .option('--json', 'print the export record as one JSON object')
    .addOption(roleOption('investigator'))
    .addOption(asOption())
    .action(async (ref: string, opts: ExportFlags) => {
      // Bad input is refused before the database is opened.
      await assertOutFolderFree(opts.out);
      const input = { approvalId: opts.approval, ...(opts.kinds ? { kinds: opts.kinds } : {}) };

      const result = await withStore(store(), async ({ db }) => {
        const id = await resolveInvestigationId(db, ref);
        return exportEvidence(db, actorOf(opts), id, input, {
          deliver: (pkg) => writePackageFolder(opts.out, pkg.files),
        });
      });
      if (opts.json) {
        console.log(JSON.stringify({ ...result.export, out: opts.out }));
        return;
      }
      const { id, manifestSha256, manifest } = result.export;
      console.log(
        `exported ${manifest.entries.length} entries to ${opts.out} (export ${id}); ` +
          `MANIFEST.json sha256 ${manifestSha256}; check with: cd ${opts.out} && ` +
          'sha256sum -c SHA256SUMS',
      );
    });

  evidence
    .command('list')
    .description("an investigation's evidence approvals and past exports")
    .argument('<investigation>', 'id or INV-n')
    .action(async (ref: string) => {
      await withStore(store(), async ({ db }) => {
        const id = await resolveInvestigationId(db, ref);
        print({
          approvals: await listEvidenceApprovals(db, id),
          exports: await listEvidenceExports(db, id),
        });
      });
    });
}
