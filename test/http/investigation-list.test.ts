/**
 * GET /api/v1/investigations answers the first `limit` investigations; X-Total-Count says how
 * many match, so that a client holding a shortened list knows it is one. `breachdesk list`, the
 * operator's view of the queue, prints all of it however long.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { cliFolder } from '../support/cli-run.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** `n` investigations, one per alert: each on its own host, source and title. */
async function openMany(db: Db, n: number): Promise<void> {
  const records = Array.from({ length: n }, (_, i) => ({
    line: i + 1,
    record: {
      time: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      title: `Canary ${i} opened`,
      host: `host-${i}`,
      srcIp: `192.0.2.${i % 250}`,
      id: `list-${i}`,
    },
  }));
  const summary = await ingestRecords(db, adapterFor('generic'), records, {
    actor: cliActor('admin'),
  });
  if (summary.accepted !== n) throw new Error(`opened ${summary.accepted} of ${n}`);
}

describeEachBackend('the investigation list', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const list = (query: string) =>
    server.app.inject({
      method: 'GET',
      url: `/api/v1/investigations${query}`,
      headers: server.as('responder'),
    });

  it('counts every match in X-Total-Count, however few it lists', async () => {
    await openMany(store.db, 5);

    const short = await list('?limit=2');
    const whole = await list('');

    expect(short.statusCode).toBe(200);
    expect(short.json()).toHaveLength(2);
    expect(short.headers['x-total-count']).toBe('5');
    expect(whole.json()).toHaveLength(5);
    expect(whole.headers['x-total-count']).toBe('5');
  });

  it('counts closed investigations only when they are asked for', async () => {
    await openMany(store.db, 4);
    await store.db.execute(sql`
      UPDATE investigations SET stage = 'close'
      WHERE id = (SELECT id FROM investigations ORDER BY number LIMIT 1)`);

    const open = await list('?limit=1');
    const all = await list('?limit=1&includeClosed=true');

    expect(open.headers['x-total-count']).toBe('3');
    expect(all.headers['x-total-count']).toBe('4');
  });

  it('lists the most recent activity first, and the default of 100 is counted past', async () => {
    await openMany(store.db, 101);

    const res = await list('');

    expect(res.json()).toHaveLength(100);
    expect(res.headers['x-total-count']).toBe('101');
    expect(res.json()[0].title).toBe('Canary 100 opened');
  });
});

it('breachdesk list prints every open investigation, past 100', async () => {
  const cli = await cliFolder();
  try {
    await cli.withStore((store) => openMany(store.db, 120));

    const result = await cli.run('list');

    expect(result.code).toBe(0);
    const printed = JSON.parse(result.out.join('\n')) as { title: string }[];
    expect(printed).toHaveLength(120);
    expect(new Set(printed.map((i) => i.title)).size).toBe(120);
  } finally {
    await cli.dispose();
  }
});
