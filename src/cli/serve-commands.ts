/**
 * Long-running commands: the HTTP server and the outbox worker.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ensureFirstAdminToken } from '../auth/tokens.ts';
import { fail } from '../domain/errors.ts';
import { buildServer } from '../http/server.ts';
import { createLogger } from '../log.ts';
import { createTransport } from '../notify/transport.ts';
import { deliverDue } from '../notify/worker.ts';
import { openConfiguredStore, outboxDirOf, smtpUrl } from './options.ts';

function portOf(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail('BD_CONFIG_INVALID', '--port must be a whole number from 0 to 65535', 'port');
  }
  return port;
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API')
    .option('--port <port>', 'TCP port', process.env.BREACHDESK_PORT ?? '8080')
    .option('--host <host>', 'address to listen on', process.env.BREACHDESK_HOST ?? '127.0.0.1')
    .action(async (opts: { port: string; host: string }) => {
      const log = createLogger();
      const store = await openConfiguredStore(program.opts());
      const first = await ensureFirstAdminToken(store.db);
      if (first) {
        // Shown once: only its hash is stored.
        process.stderr.write(
          `first admin API token (store it now, it is not shown again):\n${first.token}\n`,
        );
      }

      const app = await buildServer({ store, logger: log });
      const address = await app.listen({ port: portOf(opts.port), host: opts.host });
      process.stderr.write(
        `breachdesk listening on ${address} (OpenAPI at ${address}/openapi.json)\n`,
      );

      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await app.close();
      await store.close();
    });

  program
    .command('worker')
    .description('deliver approved notices from the outbox (SMTP_URL, else .eml files)')
    .option('--once', 'deliver what is due now, then exit')
    .option('--interval <seconds>', 'poll interval', '5')
    .action(async (opts: { once?: boolean; interval: string }) => {
      const log = createLogger();
      const store = await openConfiguredStore(program.opts());
      const transport = createTransport({
        smtpUrl: smtpUrl(),
        outboxDir: outboxDirOf(program.opts()),
      });
      let stopping = false;
      process.once('SIGTERM', () => (stopping = true));
      process.once('SIGINT', () => (stopping = true));

      try {
        do {
          const tally = await deliverDue(store.db, transport, { log });
          if (tally.sent + tally.failed + tally.retrying > 0) log.info(tally, 'outbox pass');
          if (!opts.once) await sleep(Number(opts.interval) * 1000);
        } while (!opts.once && !stopping);
      } finally {
        await transport.close();
        await store.close();
      }
    });
}
