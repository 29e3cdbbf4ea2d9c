/**
 * The listeners `serve` can run beside the HTTP API: CEF over syslog (TCP and UDP) and
 * vulnerability reports by e-mail (SMTP). Their settings are checked before the store is
 * opened, so a bad one leaves nothing behind.
 */
import { readFileSync } from 'node:fs';

import { type Command, Option } from 'commander';
import type { Logger } from 'pino';

import { fail } from '../domain/errors.ts';
import type { CorrelationConfig } from '../intake/correlation-config.ts';
import { createTransport, type Transport } from '../notify/transport.ts';
import type { Store } from '../store/db.ts';
import { smtpUrl } from './options.ts';

export interface ListenerFlags {
  syslogPort?: string;
  syslogHost: string;
  syslogZone: string;
  emailPort?: string;
  emailHost: string;
  emailAddresses?: string;
  emailTlsKeyFile?: string;
  emailTlsCertFile?: string;
  emailMaxBytes?: string;
  emailAckFrom?: string;
}

/** Adds the listener options to `serve`. */
export function addListenerOptions(command: Command): Command {
  const env = (option: Option, name: string) => option.env(name);
  return command
    .addOption(
      env(
        new Option('--syslog-port <port>', 'also take CEF over syslog (TCP and UDP) here'),
        'BREACHDESK_SYSLOG_PORT',
      ),
    )
    .addOption(
      env(
        new Option('--syslog-host <host>', 'address of the syslog listener'),
        'BREACHDESK_SYSLOG_HOST',
      ).default('127.0.0.1'),
    )
    .addOption(
      env(
        new Option('--syslog-zone <zone>', 'zone of RFC 3164 stamps (UTC, +01:00, Europe/Berlin)'),
        'BREACHDESK_SYSLOG_ZONE',
      ).default('UTC'),
    )
    .addOption(
      env(
        new Option('--email-port <port>', 'also take vulnerability reports by SMTP here'),
        'BREACHDESK_EMAIL_PORT',
      ),
    )
    .addOption(
      env(
        new Option('--email-host <host>', 'address of the SMTP intake'),
        'BREACHDESK_EMAIL_HOST',
      ).default('127.0.0.1'),
    )
    .addOption(
      env(
        new Option('--email-addresses <list>', 'report addresses taken, comma-separated'),
        'BREACHDESK_EMAIL_ADDRESSES',
      ),
    )
    .addOption(
      env(
        new Option('--email-tls-key-file <file>', 'PEM key: offers STARTTLS with the cert'),
        'BREACHDESK_EMAIL_TLS_KEY_FILE',
      ),
    )
    .addOption(
      env(
        new Option('--email-tls-cert-file <file>', 'PEM certificate for STARTTLS'),
        'BREACHDESK_EMAIL_TLS_CERT_FILE',
      ),
    )
    .addOption(
      env(
        new Option('--email-max-bytes <n>', 'largest report message taken'),
        'BREACHDESK_EMAIL_MAX_BYTES',
      ),
    )
    .addOption(
      env(
        new Option('--email-ack-from <address>', 'sender of acknowledgements (none when unset)'),
        'BREACHDESK_EMAIL_ACK_FROM',
      ),
    );
}

interface Settings {
  syslog: { port: number; host: string; zone: string } | null;
  email: {
    port: number;
    host: string;
    addresses: string[];
    tls: { key: Buffer; cert: Buffer } | null;
    maxBytes: number | undefined;
    ackFrom: string | null;
  } | null;
}

/** Checks every listener setting; throws BD_CONFIG_INVALID naming the flag. */
export function intakeListenerSettings(flags: ListenerFlags): Settings {
  const syslog =
    flags.syslogPort === undefined
      ? null
      : {
          port: portOf(flags.syslogPort, 'syslog-port'),
          host: flags.syslogHost,
          zone: flags.syslogZone,
        };
  if (flags.emailPort === undefined) return { syslog, email: null };

  const addresses = (flags.emailAddresses ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (addresses.length === 0) {
    fail(
      'BD_CONFIG_INVALID',
      '--email-port needs --email-addresses (the report addresses)',
      'email-addresses',
    );
  }
  if ((flags.emailTlsKeyFile === undefined) !== (flags.emailTlsCertFile === undefined)) {
    fail(
      'BD_CONFIG_INVALID',
      'STARTTLS needs both --email-tls-key-file and --email-tls-cert-file',
      'email-tls-key-file',
    );
  }
  const tls =
    flags.emailTlsKeyFile && flags.emailTlsCertFile
      ? {
          key: readPem(flags.emailTlsKeyFile, 'email-tls-key-file'),
          cert: readPem(flags.emailTlsCertFile, 'email-tls-cert-file'),
        }
      : null;
  const maxBytes = flags.emailMaxBytes === undefined ? undefined : Number(flags.emailMaxBytes);
  if (maxBytes !== undefined && (!Number.isInteger(maxBytes) || maxBytes < 1024)) {
    fail(
      'BD_CONFIG_INVALID',
      '--email-max-bytes must be a whole number of at least 1024',
      'email-max-bytes',
    );
  }

  return {
    syslog,
    email: {
      port: portOf(flags.emailPort, 'email-port'),
      host: flags.emailHost,
      addresses,
      tls,
      maxBytes,
      ackFrom: flags.emailAckFrom?.trim() || null,
    },
  };
}

/** Starts the configured listeners; the returned function stops them. */
export async function startIntakeListeners(
  store: Store,
  settings: Settings,
  ctx: { log: Logger; correlation?: CorrelationConfig; outboxDir: string },
): Promise<() => Promise<void>> {
  const closers: (() => Promise<void>)[] = [];
  let ackTransport: Transport | null = null;

  if (settings.syslog) {
    const { port, host, zone } = settings.syslog;
    const { startSyslogListener } = await import('../intake/syslog-listener.ts');
    const syslog = await startSyslogListener({
      db: store.db,
      port,
      host,
      zone,
      log: ctx.log,
      ingest: { correlation: ctx.correlation },
    });
    closers.push(() => syslog.close());
    process.stderr.write(`syslog (CEF) on ${host}:${syslog.port} tcp+udp\n`);
  }

  if (settings.email) {
    const { ackFrom, ...email } = settings.email;
    ackTransport = ackFrom
      ? createTransport({ smtpUrl: smtpUrl(), outboxDir: ctx.outboxDir })
      : null;
    const { startEmailIntake } = await import('../intake/smtp-intake.ts');
    const intake = await startEmailIntake({
      db: store.db,
      ...email,
      acknowledge:
        ackTransport && ackFrom
          ? { transport: ackTransport, from: { name: 'Security reports', address: ackFrom } }
          : null,
      correlation: ctx.correlation,
      log: ctx.log,
    });
    closers.push(() => intake.close());
    process.stderr.write(
      `e-mail intake on ${email.host}:${intake.port} for ${email.addresses.join(', ')}\n`,
    );
  }

  return async () => {
    for (const close of closers) await close();
    await ackTransport?.close();
  };
}

export function portOf(value: string, flag = 'port'): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail('BD_CONFIG_INVALID', `--${flag} must be a whole number from 0 to 65535`, flag);
  }
  return port;
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    fail(
      'BD_CONFIG_INVALID',
      `--${flag} ${path} cannot be read: ${(error as Error).message}`,
      flag,
    );
  }
}
