/**
 * The intake route takes every format by name or by detection, passes a zone to zone-less
 * formats, keys idempotency on the sender name, and refuses what it cannot use unchanged.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';

import type { Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const FAST_LINE =
  '03/10/2024-01:30:00.123456  [**] [1:2100498:7] GPL ATTACK_RESPONSE id check returned root ' +
  '[**] [Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 10.0.0.1:80 -> 10.0.0.2:51234';

describeEachBackend('intake route formats', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store, {});
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const post = (url: string, payload: string) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { ...server.as('responder'), 'content-type': 'text/plain' },
      payload,
    });

  it('detects the format with auto and says which it chose', async () => {
    const res = await post('/api/v1/intake/auto', JSON.stringify(buildEveAlert()));

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ format: 'suricata', accepted: 1 });
  });

  it('reads fast lines in the zone given, and refuses them without one, storing nothing', async () => {
    const before = await snapshot(store.db);
    const refused = await post('/api/v1/intake/fast', FAST_LINE);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'BD_INTAKE_ZONE_REQUIRED' } });
    expect(await snapshot(store.db)).toEqual(before);

    const res = await post('/api/v1/intake/fast?zone=America/New_York', FAST_LINE);
    expect(res.json()).toMatchObject({ format: 'fast', accepted: 1 });
    const [row] = await store.db.select().from(signals);
    // 01:30 EST (-05:00) on 10 March 2024, before that night's change to daylight time.
    expect(row?.occurredAt).toMatch(/^2024-03-10[T ]06:30:00\.123/);
  });

  it('refuses a zone for a format whose stamps carry their own', async () => {
    const res = await post('/api/v1/intake/suricata?zone=UTC', JSON.stringify(buildEveAlert()));

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'BD_REQUEST_INVALID', field: 'zone' } });
  });

  it('treats the same event from two named senders as two signals, and a resend as a repeat', async () => {
    const body = JSON.stringify(buildEveAlert());
    await post('/api/v1/intake/suricata?source=sensor-a', body);
    const resent = await post('/api/v1/intake/suricata?source=sensor-a', body);
    const other = await post('/api/v1/intake/suricata?source=sensor-b', body);

    expect(resent.json()).toMatchObject({ repeats: 1, accepted: 0 });
    expect(other.json()).toMatchObject({ duplicates: 1 });
    expect(await store.db.select().from(signals)).toHaveLength(2);
  });

  it('refuses an undetectable body with a coded error', async () => {
    const res = await post('/api/v1/intake/auto', 'hello, this is not an alert\n');

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'BD_INTAKE_FORMAT_UNDETECTED' } });
  });
});
