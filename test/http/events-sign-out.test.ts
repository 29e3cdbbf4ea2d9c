/**
 * Live event streams end with the session behind them. The periodic recheck is set far off
 * here (a minute), so a stream that ends within two seconds was ended by the sign-out itself,
 * not by the next look at the database. Real HTTP on 127.0.0.1, a port the system picks.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { issueSetPasswordToken, type PersonView } from '../../src/auth/people.ts';
import type { Store } from '../../src/store/db.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openEventStream, type EventStream } from '../support/event-stream.ts';
import { buildTenant } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, type SignedIn, signIn } from '../support/sign-in.ts';

const RITA = 'rita@provider.example';

describeEachBackend('event streams at sign-out', (backend) => {
  let store: Store;
  let server: TestServer;
  let base: string;
  let rita: PersonView;
  const streams: EventStream[] = [];

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store, {
      server: {
        eventStreams: { recheckMs: 60_000, pollMs: 50 },
        signIn: { plainHttpCookies: true },
      },
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    rita = await addTestPerson(store.db, { email: RITA, role: 'responder' });
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await server.app.close();
    await store.close();
  });

  async function open(session: SignedIn): Promise<EventStream> {
    const s = await openEventStream(base, { cookie: session.cookie });
    streams.push(s);
    expect(s.response.statusCode).toBe(200);
    // Ready once its first line arrived and the feed has taken its mark.
    await s.waitFor(/^retry: \d+\n\n/);
    await new Promise((r) => setTimeout(r, 200));
    return s;
  }

  /** Whether the server ended the stream within `ms`. */
  function endsWithin(s: EventStream, ms: number): Promise<boolean> {
    const late = new Promise<boolean>((r) => setTimeout(() => r(false), ms));
    return Promise.race([s.ended.then(() => true), late]);
  }

  function signOut(session: SignedIn) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    });
  }

  it('ends the signed-out session’s stream within 2 s, before any further event', async () => {
    const session = await signIn(server.app, RITA);
    const leaving = await open(session);

    expect((await signOut(session)).statusCode).toBe(204);

    expect(await endsWithin(leaving, 2000)).toBe(true);
    await importTenants(store.db, { tenants: [buildTenant('initech')] }, cliActor('admin'));
    await new Promise((r) => setTimeout(r, 300));
    expect(leaving.text()).not.toContain('event: change');
  });

  it('keeps another session’s stream open and delivering', async () => {
    const first = await signIn(server.app, RITA);
    const second = await signIn(server.app, RITA);
    const leaving = await open(first);
    const staying = await open(second);

    expect((await signOut(first)).statusCode).toBe(204);
    expect(await endsWithin(leaving, 2000)).toBe(true);
    await importTenants(store.db, { tenants: [buildTenant('initech')] }, cliActor('admin'));

    await staying.waitFor(/event: change\ndata: \{"seq":\d+\}\n\n/);
    expect(staying.response.complete).toBe(false);
    expect(leaving.text()).not.toContain('event: change');
  });

  it('ends every stream of a person who sets a new password with a one-time token', async () => {
    const s = await open(await signIn(server.app, RITA));
    const issued = await issueSetPasswordToken(store.db, rita.id, 'test');

    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: { token: issued.token, password: 'a brand new passphrase here' },
    });
    expect(res.statusCode).toBe(204);

    expect(await endsWithin(s, 2000)).toBe(true);
  });
});
