/**
 * The syslog listener: CEF records sent over syslog, on TCP (RFC 6587 framing, both kinds) and
 * UDP (RFC 5426; a datagram may carry several LF-ended messages) on one port. Each message
 * goes through the CEF adapter and the ordinary intake (ingestRecords), one at a time in
 * arrival order per connection. While a message is being stored the TCP socket is not read,
 * so a slow database slows the sender down through TCP flow control instead of losing
 * messages. UDP has no flow control: datagrams wait in a bounded queue, and what overflows it
 * is counted and logged.
 */
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

import type { Actor } from '../auth/actor.ts';
import { BreachdeskError, fail } from '../domain/errors.ts';
import { createLogger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { createCefAdapter } from './cef.ts';
import { type IngestOptions, ingestRecords } from './ingest.ts';
import { bytesAsText } from './legacy-text.ts';
import { type Frame, SyslogFramer, datagramFrames } from './syslog-framing.ts';

export interface SyslogListenerOptions {
  db: Db;
  /** 0 picks a free port (tests); TCP and UDP listen on the same number. */
  port: number;
  /** Defaults to 127.0.0.1; listen wider only behind a firewall that admits the senders. */
  host?: string;
  /**
   * Zone of RFC 3164 stamps, which carry none: UTC (default), an offset or an IANA name.
   * Senders that log local time need it set, or their alerts are shifted by their offset.
   */
  zone?: string;
  /** Largest message taken, in bytes (default 64 KiB); larger ones are discarded and logged. */
  maxMessageBytes?: number;
  /** Datagrams waiting to be stored before new ones are dropped (default 10,000). */
  udpQueueLimit?: number;
  /** Tries to store one message while the database fails (default 6, about 8 s in all). */
  storeAttempts?: number;
  /** Recorded in the audit trail for every signal taken (default system:syslog). */
  actor?: Actor;
  /** Passed to every ingestRecords call (correlation, dedup window, source name). */
  ingest?: Omit<IngestOptions, 'actor' | 'onLine' | 'keepAllResults' | 'log'>;
  log?: Logger;
}

/** Counts since the listener started. */
export interface SyslogStats {
  /** Messages framed off TCP connections plus messages read from datagrams. */
  received: number;
  /** Per intake status (accepted, duplicate, rejected …), as ingestRecords reports them. */
  outcomes: Record<string, number>;
  /** Messages the database did not take after every attempt; logged with their SHA-256. */
  lost: number;
  /** Datagrams dropped because the UDP queue was full. */
  dropped: number;
  /** Messages that were not all UTF-8: their other bytes were read as Windows-1252. */
  notUtf8: number;
}

export interface SyslogListener {
  /** The port bound for both TCP and UDP (useful when 0 was asked for). */
  port: number;
  stats: SyslogStats;
  /** Stops listening, stores what was already read, and resolves when all of it is done. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BYTES = 64 * 1024;
const DEFAULT_UDP_QUEUE = 10_000;
const DEFAULT_ATTEMPTS = 6;
const SYSLOG_ACTOR: Actor = { id: 'system:syslog', role: 'reporter', tenantId: null };
// With port 0 the TCP port is chosen first; UDP may find that number taken and then retries.
const BIND_TRIES = 5;

type Source = { transport: 'tcp' | 'udp'; peer: string; seq: number };

/** Starts the TCP and UDP listeners; rejects with BD_CONFIG_INVALID on unusable settings. */
export async function startSyslogListener(opts: SyslogListenerOptions): Promise<SyslogListener> {
  const settings = checkedSettings(opts);
  const log = (opts.log ?? createLogger()).child({ category: 'syslog' });
  const stats: SyslogStats = { received: 0, outcomes: {}, lost: 0, dropped: 0, notUtf8: 0 };
  const stopping = new AbortController();

  const take = messageTaker({ opts, settings, log, stats, stopping: stopping.signal });
  const tcp = startTcp(settings, take, log);
  const udp = startUdp(settings, take, stats, log);
  const port = await bind(tcp.server, udp, settings);
  tcp.server.on('error', (err) => log.error({ err, transport: 'tcp' }, 'listener error'));
  log.info({ host: settings.host, port, zone: opts.zone ?? 'UTC' }, 'syslog listener started');

  return {
    port,
    stats,
    async close() {
      stopping.abort();
      await Promise.all([tcp.close(), udp.close()]);
      log.info({ port, ...stats }, 'syslog listener stopped');
    },
  };
}

type TakerContext = {
  opts: SyslogListenerOptions;
  settings: Settings;
  log: Logger;
  stats: SyslogStats;
  stopping: AbortSignal;
};

/**
 * Stores one framed message through the CEF adapter and the ordinary intake, retrying while
 * the database fails (the caller reads nothing meanwhile). Counts and logs every outcome;
 * never throws.
 */
function messageTaker({ opts, settings, log, stats, stopping }: TakerContext): Take {
  const adapter = createCefAdapter({ zone: opts.zone });
  const ingestOptions: IngestOptions = {
    ...opts.ingest,
    actor: opts.actor ?? SYSLOG_ACTOR,
    keepAllResults: true,
    log,
  };
  const count = (status: string) => (stats.outcomes[status] = (stats.outcomes[status] ?? 0) + 1);

  return async (frame, source) => {
    stats.received += 1;
    if (frame.kind !== 'message') {
      count('rejected');
      log.warn(
        { ...source, status: 'rejected', ...frameProblem(frame, settings) },
        'message rejected',
      );
      return;
    }

    // A device may write its messages in a legacy charset, and a syslog message cannot be sent
    // again the way a file line can: it is taken, with any byte that is not part of UTF-8 read
    // as Windows-1252 rather than replaced by U+FFFD, and counted.
    const { text, legacy } = bytesAsText(frame.bytes);
    if (legacy) stats.notUtf8 += 1;
    const records = [{ line: source.seq, record: text }];
    const bytes = frame.bytes.length;
    const read = legacy ? { bytes, notUtf8: true } : { bytes };
    for (let attempt = 1; ; attempt += 1) {
      try {
        const summary = await ingestRecords(opts.db, adapter, records, ingestOptions);
        for (const result of summary.results) {
          count(result.status);
          if (result.status === 'rejected')
            log.warn({ ...source, ...read, ...result }, 'message rejected');
          else log.debug({ ...source, ...read, ...result }, 'message taken');
        }
        return;
      } catch (err) {
        if (attempt >= settings.attempts || stopping.aborted) {
          stats.lost += 1;
          const sha256 = createHash('sha256').update(frame.bytes).digest('hex');
          log.error({ err, ...source, bytes, sha256 }, 'message not stored');
          return;
        }
        log.warn({ err, ...source, attempt }, 'database failed; retrying message');
        await sleep(250 * 2 ** (attempt - 1), undefined, { signal: stopping }).catch(() => null);
      }
    }
  };
}

function frameProblem(frame: Exclude<Frame, { kind: 'message' }>, settings: Settings) {
  if (frame.kind === 'oversize') {
    return {
      code: 'BD_REQUEST_TOO_LARGE',
      field: 'syslog.length',
      reason: `message of ${frame.size} bytes is over the ${settings.maxBytes}-byte limit`,
    };
  }
  return {
    code: 'BD_INTAKE_FIELD_INVALID',
    field: 'syslog.length',
    reason: `connection closed before the ${frame.size} bytes its MSG-LEN announced`,
  };
}

type Settings = {
  port: number;
  host: string;
  maxBytes: number;
  udpLimit: number;
  attempts: number;
};
type Take = (frame: Frame, source: Source) => Promise<void>;

function checkedSettings(opts: SyslogListenerOptions): Settings {
  const wholeNumber = (value: unknown, min: number, max: number) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

  if (!wholeNumber(opts.port, 0, 65_535)) {
    fail('BD_CONFIG_INVALID', 'syslog port must be a whole number from 0 to 65535', 'syslogPort');
  }
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_BYTES;
  if (!wholeNumber(maxBytes, 480, 16 * 1024 * 1024)) {
    // RFC 5424 §6.1: receivers must take messages of at least 480 octets.
    fail(
      'BD_CONFIG_INVALID',
      'syslog message limit must be 480 bytes to 16 MiB',
      'maxMessageBytes',
    );
  }

  return {
    port: opts.port,
    host: opts.host ?? '127.0.0.1',
    maxBytes,
    udpLimit: opts.udpQueueLimit ?? DEFAULT_UDP_QUEUE,
    attempts: opts.storeAttempts ?? DEFAULT_ATTEMPTS,
  };
}

/** TCP: one loop per connection, reading the next chunk only when the last is stored. */
function startTcp(settings: Settings, take: Take, log: Logger) {
  const connections = new Map<net.Socket, Promise<void>>();

  async function serve(socket: net.Socket): Promise<void> {
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const framer = new SyslogFramer(settings.maxBytes);
    let seq = 0;
    const next = () => ({ transport: 'tcp' as const, peer, seq: (seq += 1) });

    try {
      // Async iteration pulls a chunk only after the previous one is stored: meanwhile the
      // socket is paused, its buffer fills and TCP flow control holds the sender back.
      for await (const chunk of socket) {
        for (const frame of framer.push(chunk as Buffer)) await take(frame, next());
      }
      for (const frame of framer.end()) await take(frame, next());
    } catch (err) {
      // A reset by the peer or our own close(); what was read is stored, the rest never came.
      log.debug({ err, transport: 'tcp', peer }, 'connection ended abruptly');
    } finally {
      socket.destroy();
    }
  }

  const server = net.createServer((socket) => {
    const done = serve(socket).finally(() => connections.delete(socket));
    connections.set(socket, done);
  });
  return {
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of connections.keys()) socket.destroy();
      await Promise.all([closed, ...connections.values()]);
    },
  };
}

/** UDP: datagrams are queued in arrival order; their messages are stored one at a time. */
function startUdp(settings: Settings, take: Take, stats: SyslogStats, log: Logger) {
  const queue: { bytes: Buffer; peer: string }[] = [];
  let socket: dgram.Socket | null = null;
  let draining: Promise<void> | null = null;
  let seq = 0;
  let overflowing = false;

  async function drain(): Promise<void> {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      for (const frame of datagramFrames(item.bytes, settings.maxBytes)) {
        seq += 1;
        await take(frame, { transport: 'udp', peer: item.peer, seq });
      }
    }
    overflowing = false;
    draining = null;
  }

  function receive(bytes: Buffer, rinfo: dgram.RemoteInfo): void {
    if (queue.length >= settings.udpLimit) {
      stats.dropped += 1;
      if (!overflowing) {
        log.warn({ transport: 'udp', limit: settings.udpLimit }, 'queue full; dropping datagrams');
      }
      overflowing = true;
      return;
    }
    queue.push({ bytes, peer: `${rinfo.address}:${rinfo.port}` });
    draining ??= drain();
  }

  return {
    /** Binds a new socket (one whose bind failed is not reused); rejects with the OS error. */
    async bind(port: number): Promise<void> {
      const candidate = dgram.createSocket({ type: net.isIPv6(settings.host) ? 'udp6' : 'udp4' });
      await new Promise<void>((resolve, reject) => {
        candidate.once('error', reject);
        candidate.bind({ port, address: settings.host }, () => {
          candidate.off('error', reject);
          resolve();
        });
      }).catch((err: unknown) => {
        candidate.close();
        throw err;
      });

      candidate.on('message', receive);
      candidate.on('error', (err) => log.error({ err, transport: 'udp' }, 'listener error'));
      socket = candidate;
    },
    async close() {
      const bound = socket;
      if (bound !== null) await new Promise<void>((resolve) => bound.close(() => resolve()));
      await draining;
    },
  };
}

/** Listens on TCP, then UDP on the same port number; retries a chosen port UDP finds taken. */
async function bind(
  server: net.Server,
  udp: { bind(port: number): Promise<void> },
  settings: Settings,
): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await listenTcp(server, settings.port, settings.host);
    try {
      await udp.bind(port);
      return port;
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const retry = settings.port === 0 && attempt < BIND_TRIES && isAddressInUse(err);
      if (!retry) throw bindError(err, { port, host: settings.host }, 'UDP');
    }
  }
}

function listenTcp(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => reject(bindError(err, { port, host }, 'TCP'));
    server.once('error', failed);
    server.listen({ port, host }, () => {
      server.off('error', failed);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}

function bindError(err: unknown, at: { port: number; host: string }, transport: string): Error {
  if (err instanceof BreachdeskError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code ?? String(err);
  return new BreachdeskError(
    'BD_CONFIG_INVALID',
    `cannot listen for syslog on ${transport} ${at.host}:${at.port} (${code}); ` +
      'choose another --syslog-port or --syslog-host',
    'syslogPort',
  );
}
