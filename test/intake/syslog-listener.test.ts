/**
 * The syslog listener on real loopback sockets, storing into a real database. The only stand-in
 * is a wrapper around the database handle that slows or fails transactions (module boundary).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { asc } from 'drizzle-orm';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';

import {
  type SyslogListener,
  type SyslogListenerOptions,
  startSyslogListener,
} from '../../src/intake/syslog-listener.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { investigations, signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';

const HOST = '127.0.0.1';

/** An RFC 5424 message carrying a CEF record; `n` varies the event so each one is new. */
function cefMessage(n: number, extra = ''): string {
  return (
    `<134>1 2024-03-10T06:30:00.${String(n % 1000).padStart(3, '0')}Z fw01 edgefw - - - ` +
    `CEF:0|Northwind Networks|Edge Firewall|7.4.2|${100000 + n}|Blocked session ${n}|5|` +
    `src=203.0.113.9 dst=10.0.0.5 externalId=evt-${n}${extra}`
  );
}

function octetCounted(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}

/**
 * Sends `data` on one TCP connection and resolves once the listener has closed it too, with
 * the bytes still waiting in the sender `sampleAfterMs` after the write (held back by TCP).
 */
async function sendTcp(port: number, data: string, sampleAfterMs = 0): Promise<number> {
  const socket = net.connect({ port, host: HOST });
  let waiting = 0;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve());
    socket.end(data);
    setTimeout(() => (waiting = socket.writableLength), sampleAfterMs);
  });
  return waiting;
}

async function sendUdp(port: number, messages: (string | Buffer)[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  for (const message of messages) {
    await new Promise<void>((resolve, reject) =>
      socket.send(message, port, HOST, (err) => (err ? reject(err) : resolve())),
    );
  }
  socket.close();
}

/** Waits until the listener has an outcome for `count` messages. */
async function settled(listener: SyslogListener, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const done = Object.values(listener.stats.outcomes).reduce((a, b) => a + b, 0);
    if (done + listener.stats.lost >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${count} messages settled`);
    await sleep(20);
  }
}

/** The database handle with every transaction delayed, or failing its first `failures` times. */
function wrappedDb(db: Db, opts: { delayMs?: number; failures?: number }): Db {
  let failures = opts.failures ?? 0;
  return new Proxy(db, {
    get(target, key, receiver) {
      if (key !== 'transaction') return Reflect.get(target, key, receiver) as unknown;
      return async (...args: Parameters<Db['transaction']>) => {
        await sleep(opts.delayMs ?? 0);
        if (failures > 0) {
          failures -= 1;
          throw new Error('connection to the database lost');
        }
        return target.transaction(...args);
      };
    },
  });
}

describeEachBackend('syslog listener', (backend) => {
  let store: Store;
  let listener: SyslogListener | null = null;

  async function start(opts: Partial<SyslogListenerOptions> = {}): Promise<SyslogListener> {
    listener = await startSyslogListener({
      db: store.db,
      port: 0,
      log: pino({ level: 'silent' }),
      ...opts,
    });
    return listener;
  }

  async function storedTitles(): Promise<string[]> {
    const rows = await store.db.select().from(signals).orderBy(asc(signals.id));
    return rows.map((row) => row.title);
  }

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await listener?.close();
    listener = null;
    await store.close();
  });

  it('stores CEF sent over TCP in both framings, and nothing of a malformed message', async () => {
    const { port, stats } = await start();
    const malformed = cefMessage(3).replace('06:30:00.003Z', '06:30:00.003');

    await sendTcp(
      port,
      octetCounted(cefMessage(1)) +
        `${cefMessage(2)}\n` +
        `${malformed}\n` +
        octetCounted(`${cefMessage(4)}\n`),
    );
    await settled(listener as SyslogListener, 4);

    expect(await storedTitles()).toEqual([
      'Blocked session 1',
      'Blocked session 2',
      'Blocked session 4',
    ]);
    expect(await store.db.select().from(investigations)).toHaveLength(3);
    expect(stats.outcomes).toMatchObject({ accepted: 3, rejected: 1 });
  });

  it('stores CEF sent over UDP, one message per datagram', async () => {
    const { port } = await start();

    await sendUdp(port, [cefMessage(1), `${cefMessage(2)}\n`, '<134>1 broken']);
    await settled(listener as SyslogListener, 3);

    expect(await storedTitles()).toEqual(['Blocked session 1', 'Blocked session 2']);
    expect(listener?.stats.outcomes.rejected).toBe(1);
  });

  it('stores each record of a datagram carrying several, not only the first', async () => {
    const { port, stats } = await start();

    await sendUdp(port, [`${cefMessage(1)}\n\n${cefMessage(2)}\r\n`, `${cefMessage(3)}\n`]);
    await settled(listener as SyslogListener, 3);

    expect(await storedTitles()).toEqual([
      'Blocked session 1',
      'Blocked session 2',
      'Blocked session 3',
    ]);
    expect(stats).toMatchObject({ received: 3, outcomes: { accepted: 3 } });
  });

  it('takes a message in a legacy charset, its other bytes read as Latin-1', async () => {
    const { port, stats } = await start();
    const latin1 = Buffer.from(
      cefMessage(1).replace('Blocked session 1', 'Blockierte Sitzung für'),
      'latin1',
    );
    const mixed = Buffer.from(
      cefMessage(2).replace('Blocked session 2', 'café for caf\u00c3\u00a9'),
      'latin1',
    );

    await sendUdp(port, [latin1, mixed, Buffer.from(cefMessage(3))]);
    await settled(listener as SyslogListener, 3);

    expect(await storedTitles()).toEqual([
      'Blockierte Sitzung für',
      'café for café',
      'Blocked session 3',
    ]);
    expect(stats).toMatchObject({ received: 3, notUtf8: 2, outcomes: { accepted: 3 } });
  });

  it('reads 0x80–0x9F in such a message as Windows-1252: euro sign and curly quotes', async () => {
    const { port } = await start();
    const title = Buffer.from('Blocked \u0093transfer\u0094 of \u0080 5 from caf\u00e9', 'latin1');
    const message = Buffer.concat([
      Buffer.from(cefMessage(1).split('Blocked session 1')[0] as string),
      title,
      Buffer.from(cefMessage(1).split('Blocked session 1')[1] as string),
    ]);

    await sendUdp(port, [message]);
    await settled(listener as SyslogListener, 1);

    expect(await storedTitles()).toEqual(['Blocked “transfer” of € 5 from café']);
  });

  it('loses nothing and keeps arrival order while the database is slow', async () => {
    // 100 messages of 80 KiB overrun the socket buffers of both ends (a few MiB on loopback),
    // so the sender is still holding data while the listener works through the first ones.
    const padding = ` msg=${'p'.repeat(80 * 1024)}`;
    const messages = Array.from({ length: 100 }, (_, i) => cefMessage(i + 1, padding));
    const { port } = await start({
      db: wrappedDb(store.db, { delayMs: 5 }),
      maxMessageBytes: 128 * 1024,
    });

    const heldBack = await sendTcp(port, messages.map(octetCounted).join(''), 300);
    await settled(listener as SyslogListener, messages.length);

    const titles = await storedTitles();
    expect(heldBack).toBeGreaterThan(0);
    expect(titles).toEqual(messages.map((_, i) => `Blocked session ${i + 1}`));
  });

  it('retries a message while the database fails, then stores it', async () => {
    const { port, stats } = await start({ db: wrappedDb(store.db, { failures: 2 }) });

    await sendTcp(port, `${cefMessage(1)}\n`);
    await settled(listener as SyslogListener, 1);

    expect(await storedTitles()).toEqual(['Blocked session 1']);
    expect(stats.lost).toBe(0);
  });

  it('discards an oversize message and takes the next one on the same connection', async () => {
    const { port, stats } = await start({ maxMessageBytes: 1024 });
    const big = cefMessage(1, ` msg=${'x'.repeat(2000)}`);

    await sendTcp(port, octetCounted(big) + octetCounted(cefMessage(2)));
    await settled(listener as SyslogListener, 2);

    expect(await storedTitles()).toEqual(['Blocked session 2']);
    expect(stats.outcomes.rejected).toBe(1);
  });

  it('reads RFC 3164 stamps in the configured zone and keeps the stamp as sent', async () => {
    const { port } = await start({ zone: 'Europe/Berlin' });
    const now = new Date();
    const stamp = now.toLocaleString('en-US', {
      timeZone: 'Europe/Berlin',
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    // "Mar 10, 07:30:00" → "Mar 10 07:30:00"
    const bsd = stamp.replace(',', '');
    const record = 'CEF:0|Northwind Networks|Edge Firewall|7.4.2|7|Port scan|3|src=10.1.1.1';

    await sendTcp(port, `<134>${bsd} fw01 ${record}\n`);
    await settled(listener as SyslogListener, 1);

    const [row] = await store.db.select().from(signals);
    expect(row?.originalTimestamp).toBe(bsd);
    expect(Math.abs(Date.parse(row?.occurredAt ?? '') - now.getTime())).toBeLessThan(2000);
  });

  it('refuses a port another listener holds, with BD_CONFIG_INVALID', async () => {
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(0, HOST, resolve));
    const taken = (other.address() as net.AddressInfo).port;

    await expect(start({ port: taken })).rejects.toMatchObject({
      code: 'BD_CONFIG_INVALID',
      field: 'syslogPort',
    });
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('stops accepting connections once closed', async () => {
    const { port } = await start();
    await listener?.close();
    listener = null;

    await expect(sendTcp(port, `${cefMessage(1)}\n`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
