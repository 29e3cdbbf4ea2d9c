/**
 * `breachdesk people`: local accounts for the web UI (docs/sign-in.md). Passwords are read
 * from standard input only (never from an argument, which `ps` and shell history would show);
 * without one a one-time set-password token is printed for the person to use once.
 */
import type { Command } from 'commander';
import { actorLabel, cliActor } from '../auth/actor.ts';
import {
  addPerson,
  disablePerson,
  issueSetPasswordToken,
  listPeople,
  type PersonView,
  type SetPasswordToken,
  setPassword,
} from '../auth/people.ts';
import { ROLES } from '../domain/types.ts';
import { fail } from '../domain/errors.ts';
import { withStore } from './data-commands.ts';

interface AddFlags {
  email: string;
  name: string;
  role: string;
  tenant?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

export function registerPeopleCommands(program: Command): void {
  const people = program.command('people').description('local accounts that sign in to the UI');

  people
    .command('add')
    .description('add a person; prints a one-time set-password token unless --password-stdin')
    .requiredOption('--email <email>', 'sign-in name (stored lower-cased)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--tenant <id>', 'the tenant of a tenant_admin')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print {person, setPassword} as JSON')
    .action(async (opts: AddFlags) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : null;
      await withStore(program.opts(), async ({ db }) => {
        const added = await addPerson(db, {
          email: opts.email,
          displayName: opts.name,
          role: opts.role,
          tenantId: opts.tenant ?? null,
          password,
          by: actorLabel(cliActor()),
        });
        if (opts.json) console.log(JSON.stringify(added));
        else printAdded(added.person, added.setPassword);
      });
    });

  people
    .command('list')
    .description('everyone, with role, tenant and whether disabled (no secrets)')
    .option('--json', 'print the people as one JSON array')
    .action(async (opts: { json?: boolean }) => {
      await withStore(program.opts(), async ({ db }) => {
        const all = await listPeople(db);
        if (opts.json) console.log(JSON.stringify(all));
        else for (const p of all) console.log(describe(p));
      });
    });

  people
    .command('disable')
    .description('stop a person signing in; their open sessions end at once')
    .argument('<id>', 'person id (see people list)')
    .action(async (id: string) => {
      await withStore(program.opts(), async ({ db }) => {
        const person = await disablePerson(db, id, actorLabel(cliActor()));
        console.log(`disabled ${person.id} ${person.email}`);
      });
    });

  people
    .command('set-password')
    .description('set a password from standard input, or print a new one-time token without it')
    .argument('<id>', 'person id (see people list)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print the one-time token as JSON')
    .action(async (id: string, opts: { passwordStdin?: boolean; json?: boolean }) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : null;
      await withStore(program.opts(), async ({ db }) => {
        const by = actorLabel(cliActor());
        if (password !== null) {
          await setPassword(db, id, password, by);
          console.log(`password set for ${id}; their open sessions ended`);
          return;
        }
        const issued = await issueSetPasswordToken(db, id, by);
        if (opts.json) console.log(JSON.stringify(issued));
        else printToken(issued);
      });
    });
}

function describe(p: PersonView): string {
  const tenant = p.tenantId === null ? '' : ` tenant=${p.tenantId}`;
  const state = p.disabledAt !== null ? 'disabled' : p.hasPassword ? 'active' : 'no password';
  return `${p.id} ${p.email} ${p.role}${tenant} "${p.displayName}" ${state}`;
}

function printAdded(person: PersonView, token: SetPasswordToken | null): void {
  console.log(`added ${describe(person)}`);
  if (token !== null) printToken(token);
}

function printToken(issued: SetPasswordToken): void {
  // The only secret printed, and only because the person needs it once to choose a password.
  console.log(`one-time set-password token (valid until ${issued.expiresAt}): ${issued.token}`);
  process.stderr.write(
    'hand it to the person privately; they POST {"token", "password"} to ' +
      '/api/v1/auth/set-password (docs/sign-in.md)\n',
  );
}

/** The whole of standard input without its final line break; refused on a terminal. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    fail(
      'BD_REQUEST_INVALID',
      '--password-stdin reads a pipe, not a terminal: read -rs PW; printf %s "$PW" | breachdesk …',
      'password-stdin',
    );
  }

  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
