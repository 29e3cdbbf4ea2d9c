/**
 * Long-running commands: the HTTP server, the outbox worker and the bounce listener.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, Option } from 'commander';
import type { Logger } from 'pino';
import { startAnchorTimer } from '../audit/anchor-timer.ts';
import { ensureFirstAdminToken } from '../auth/tokens.ts';
import { fail } from '../domain/errors.ts';
import { loadCorrelationConfig } from '../intake/correlation-config.ts';
import { createLogger } from '../log.ts';
import { type BounceListener, startBounceListener } from '../notify/bounces.ts';
import { consoleUrlFor } from '../notify/contact-tests.ts';
import { workerPass } from '../notify/worker-pass.ts';
import { trustedProxiesOf } from '../http/trust-proxy.ts';
import { createTransport, dkimFromEnv } from '../notify/transport.ts';
import type { Store } from '../store/db.ts';
import {
  addListenerOptions,
  type ListenerFlags,
  intakeListenerSettings,
  portOf,
  startIntakeListeners,
} from './intake-listeners.ts';
import {
  addAnchorOptions,
  type AnchorFlags,
  anchorFileOf,
  anchorIntervalOf,
} from './anchor-options.ts';
import { dataDirOf, openConfiguredStore, outboxDirOf, smtpUrl } from './options.ts';
import { addSignInOptions, type SignInFlags, signInSettingsOf } from './sign-in-options.ts';

interface ServeFlags extends ListenerFlags, AnchorFlags, SignInFlags {
  port: string;
  host: string;
  worker: boolean;
  interval: string;
  correlation?: string;
  trustProxy?: string;
}

export function registerServeCommands(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the HTTP API')
    .option('--port <port>', 'TCP port', process.env.BREACHDESK_PORT ?? '8080')
    .option('--host <host>', 'address to listen on', process.env.BREACHDESK_HOST ?? '127.0.0.1')
    .option('--no-worker', 'do not deliver the outbox in this process (run `worker` instead)')
    .option('--interval <seconds>', 'outbox poll interval of the built-in worker', '5')
    .addOption(
      new Option('--correlation <file>', 'intake correlation settings (JSON)').env(
        'BREACHDESK_CORRELATION',
      ),
    )
    .addOption(
      new Option(
        '--trust-proxy <proxies>',
        'proxies whose X-Forwarded-For to believe: IPs/CIDRs, comma-separated, or a hop count',
      ).env('BREACHDESK_TRUST_PROXY'),
    );
  addListenerOptions(addAnchorOptions(addSignInOptions(serve))).action(async (opts: ServeFlags) => {
    const log = createLogger();
    const port = portOf(opts.port);
    // Settings are checked before anything is opened, so a bad one leaves nothing behind.
    const correlation = opts.correlation ? loadCorrelationConfig(opts.correlation) : undefined;
    const listeners = intakeListenerSettings(opts);
    const anchorFile = anchorFileOf(dataDirOf(program.opts()), opts.anchorFile);
    const anchorEveryMs = anchorIntervalOf(opts.anchorInterval);
    const signIn = signInSettingsOf(opts, opts.host);
    const trustProxy = trustedProxiesOf(opts.trustProxy, opts.host);
    const store = await openConfiguredStore(program.opts());
    const first = await ensureFirstAdminToken(store.db);
    if (first) {
      // Shown once: only its hash is stored.
      process.stderr.write(
        `first admin API token (store it now, it is not shown again):\n${first.token}\n`,
      );
    }

    // The HTTP stack is loaded only by the command that serves it.
    const { buildServer } = await import('../http/server.ts');
    const app = await buildServer({ store, logger: log, correlation, signIn, trustProxy });
    const address = await app.listen({ port, host: opts.host });
    process.stderr.write(
      `breachdesk listening on ${address} (OpenAPI at ${address}/openapi.json)\n`,
    );
    const stopListeners = await startIntakeListeners(store, listeners, {
      log,
      correlation,
      outboxDir: outboxDirOf(program.opts()),
    });
    const stopAnchors = startAnchorTimer(store.db, {
      file: anchorFile,
      everyMs: anchorEveryMs,
      log,
    });

    // PGlite is one process's database, so by default the server delivers its own outbox.
    const transport = opts.worker
      ? createTransport({
          smtpUrl: smtpUrl(),
          outboxDir: outboxDirOf(program.opts()),
          dkim: dkimFromEnv(),
          envelopeFrom: bounceAddress(),
        })
      : null;
    const stopping = new AbortController();
    const loop = (async () => {
      while (transport && !stopping.signal.aborted) {
        // Links in test e-mails point at this server (or BREACHDESK_CONSOLE_URL).
        await workerPass(store, transport, { log, consoleUrl: consoleUrlFor(address) });
        await sleep(Number(opts.interval) * 1000, undefined, { signal: stopping.signal }).catch(
          () => undefined,
        );
      }
    })();

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    stopping.abort();
    await stopListeners();
    await app.close();
    await loop;
    await stopAnchors();
    await transport?.close();
    await store.close();
  });

  program
    .command('worker')
    .description(
      'deliver approved notices and staff alerts from the outbox (SMTP_URL, else .eml files)',
    )
    .option('--once', 'deliver what is due now, then exit')
    .option('--interval <seconds>', 'poll interval', '5')
    .addOption(
      new Option('--pool <connections>', 'SMTP connections kept open')
        .env('BREACHDESK_SMTP_POOL')
        .default('5'),
    )
    .addOption(
      new Option('--bounce-port <port>', 'also listen for bounces (DSNs) on this port').env(
        'BREACHDESK_BOUNCE_PORT',
      ),
    )
    .addOption(bounceHostOption())
    .action(async (opts: WorkerFlags) => {
      // Settings are checked before anything is opened, so a bad one leaves nothing behind.
      const log = createLogger();
      const listen =
        opts.bouncePort !== undefined && !opts.once
          ? listenerSettings(opts.bounceHost, opts.bouncePort)
          : null;
      const transport = createTransport({
        smtpUrl: smtpUrl(),
        outboxDir: outboxDirOf(program.opts()),
        dkim: dkimFromEnv(),
        envelopeFrom: bounceAddress(),
        poolSize: countOf(opts.pool, '--pool'),
      });
      const store = await openConfiguredStore(program.opts());
      let bounces: BounceListener | null = null;
      let stopping = false;
      process.once('SIGTERM', () => (stopping = true));
      process.once('SIGINT', () => (stopping = true));

      try {
        if (listen) bounces = await startListener(store, listen, log);
        do {
          await workerPass(store, transport, { log, once: Boolean(opts.once) });
          if (!opts.once) await sleep(Number(opts.interval) * 1000);
        } while (!opts.once && !stopping);
      } finally {
        await bounces?.close();
        await transport.close();
        await store.close();
      }
    });

  program
    .command('bounces')
    .description('listen for delivery status notifications (bounces) only')
    .addOption(
      new Option('--port <port>', 'TCP port').env('BREACHDESK_BOUNCE_PORT').default('2525'),
    )
    .addOption(bounceHostOption())
    .action(async (opts: { port: string; bounceHost: string }) => {
      const log = createLogger();
      const listen = listenerSettings(opts.bounceHost, opts.port);
      const store = await openConfiguredStore(program.opts());

      try {
        const listener = await startListener(store, listen, log);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await listener.close();
        process.stderr.write(`${JSON.stringify(listener.stats)}\n`);
      } finally {
        await store.close();
      }
    });
}

interface WorkerFlags {
  once?: boolean;
  interval: string;
  pool: string;
  bouncePort?: string;
  bounceHost: string;
}

function bounceHostOption(): Option {
  return new Option('--bounce-host <host>', 'address the bounce listener binds')
    .env('BREACHDESK_BOUNCE_HOST')
    .default('127.0.0.1');
}

/** BREACHDESK_BOUNCE_ADDRESS: the envelope sender of notices and the listener's mailbox. */
function bounceAddress(): string | null {
  return process.env.BREACHDESK_BOUNCE_ADDRESS?.trim() || null;
}

function countOf(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    fail('BD_CONFIG_INVALID', `${flag} must be a whole number from 1 to 100`, flag.slice(2));
  }
  return n;
}

interface ListenerSettings {
  address: string;
  host: string;
  port: number;
}

function listenerSettings(host: string, port: string): ListenerSettings {
  const address = bounceAddress();
  if (!address) {
    fail(
      'BD_CONFIG_INVALID',
      'set BREACHDESK_BOUNCE_ADDRESS (the mailbox DSNs are sent to) to listen for bounces',
      'bounceAddress',
    );
  }
  return { address, host, port: portOf(port) };
}

async function startListener(
  store: Store,
  settings: ListenerSettings,
  log: Logger,
): Promise<BounceListener> {
  const listener = await startBounceListener({ db: store.db, ...settings, log });
  process.stderr.write(
    `bounce listener on ${settings.host}:${listener.port} for ${settings.address}\n`,
  );
  return listener;
}
