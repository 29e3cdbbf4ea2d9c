import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { fail } from '../domain/errors.ts';
import { openStore } from '../store/db.ts';
import { createLogger } from '../log.ts';
import type { Store } from '../store/db.ts';
import { portOf } from './intake-listeners.ts';
import { smtpUrl } from './options.ts';

async function serveConsole(
  store: Store,
  at: { label: string; id: string; dir: string },
  port: number,
) {
  const { addDemoAccounts, serveDemo } = await import('../demo/serve.ts');
  const accounts = await addDemoAccounts(store, at.id);
  await serveDemo(store, {
    port,
    dir: at.dir,
    smtpUrl: smtpUrl(),
    log: createLogger(),
    ready(url) {
      const lines = [
        '',
        `console: ${url}/investigations/${at.label}  (Ctrl-C stops it)`,
        'sign in as (passwords made for this run only):',
        ...accounts.map(
          (a) =>
            `  ${a.role.padEnd(17)} ${a.email.padEnd(24)} ${a.password}` +
            (a.tenantId ? `  (tenant ${a.tenantId})` : ''),
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  });
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the whole job on a generated scenario in a fresh data folder')
    .option('--json', 'end with one JSON line summarising the run')
    .option('--seed <n>', 'scenario seed', '7')
    .option('--serve', 'then serve the web console with the demo data (loopback only)')
    .option('--port <port>', 'port of the console with --serve', '8080')
    .action(async (opts: { json?: boolean; seed: string; serve?: boolean; port: string }) => {
      // Checked first, so a bad port leaves no demo folder behind.
      const port = opts.serve ? portOf(opts.port) : 0;
      if (opts.serve) await (await import('../demo/serve.ts')).assertPortFree(port);
      const given = program.opts<{ dataDir?: string }>().dataDir;
      const dir = resolve(given ?? join('.breachdesk', `demo-${stamp()}`));
      await mkdir(dir, { recursive: true });
      if ((await readdir(dir)).length > 0) {
        fail('BD_CONFIG_INVALID', `${dir} is not empty; the demo needs a fresh folder`, 'dataDir');
      }

      const started = Date.now();
      const say = (m: string) => process.stderr.write(`demo: ${m}\n`);
      const databaseUrl = process.env.DATABASE_URL || null;
      say(databaseUrl ? 'using PostgreSQL from DATABASE_URL' : `using embedded PGlite in ${dir}`);

      const store = await openStore({ dataDir: dir, databaseUrl });
      try {
        const result = await (
          await import('../demo/run.ts')
        ).runDemo({
          store,
          workDir: dir,
          smtpUrl: smtpUrl(),
          seed: Number(opts.seed),
          progress: say,
        });
        say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        say(`look around: npx breachdesk --data-dir ${dir} show ${result.investigation}`);
        if (opts.json) console.log(JSON.stringify(result));
        else
          console.log(
            `${result.investigation}: ${result.stage}, ` +
              `${result.noticesDelivered} notices delivered`,
          );
        if (!result.auditVerified) process.exitCode = 1;
        if (opts.serve && result.auditVerified) {
          const at = { label: result.investigation, id: result.investigationId, dir };
          await serveConsole(store, at, port);
        }
      } finally {
        await store.close();
      }
    });
}
