/**
 * `breachdesk settings …`: deployment settings kept with the data rather than in each
 * process's environment. Today that is the deployment role (GDPR Art. 4(7)/(8)), which decides
 * which regimes apply; changing it is deliberate, needs a reason, and is audited.
 */
import type { Command } from 'commander';
import { cliActor } from '../auth/actor.ts';
import { fail } from '../domain/errors.ts';
import { storedDeploymentRole } from '../investigations/deployment-role.ts';
import { setDeploymentRole } from '../investigations/role-change.ts';
import { withStore } from './data-commands.ts';

const NAMES = ['deployment-role'];

export function registerSettingsCommands(program: Command): void {
  const settings = program
    .command('settings')
    .description('deployment settings kept with the data (the deployment role)');

  settings
    .command('show')
    .description('print the stored settings as JSON (null: not stored yet)')
    .action(async () => {
      await withStore(program.opts(), async ({ db }) => {
        console.log(JSON.stringify({ deploymentRole: await storedDeploymentRole(db) }));
      });
    });

  settings
    .command('set')
    .description('change a setting deliberately; audited, with its reason')
    .argument('<name>', NAMES.join(', '))
    .argument('<value>', 'deployment-role: processor or controller')
    .requiredOption('--reason <text>', 'why it changes (kept in the audit log)')
    .action(async (name: string, value: string, opts: { reason: string }) => {
      if (!NAMES.includes(name)) {
        fail(
          'BD_REQUEST_INVALID',
          `unknown setting "${name}"; settings: ${NAMES.join(', ')}`,
          'name',
        );
      }
      await withStore(program.opts(), async ({ db }) => {
        const result = await setDeploymentRole(db, cliActor('admin'), {
          role: value,
          reason: opts.reason,
        });
        console.log(JSON.stringify(result));
      });
    });
}
