/**
 * Route declarations: a route that names no action, or one the policy does not know, stops
 * the server from starting, in the root and in plugins alike.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAuthorization } from '../../src/http/authorize.ts';
import { openStore, type Store } from '../../src/store/db.ts';

describe('route declarations', () => {
  let store: Store;

  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://authorize' });
  });
  afterAll(async () => {
    await store.close();
  });

  function bareApp() {
    const app = Fastify();
    app.decorateRequest('actor', null);
    registerAuthorization(app, store.db);
    return app;
  }

  it('fails to start when a route declares no action', async () => {
    const app = bareApp();
    app.get('/api/v1/secrets', () => 'x');

    await expect(app.ready()).rejects.toThrow('route GET /api/v1/secrets declares no action');
  });

  it('fails to start when a plugin registers a route without an action', async () => {
    const app = bareApp();
    void app.register((scope, _opts, done) => {
      scope.post('/api/v1/plugin-route', () => 'x');
      done();
    });

    await expect(app.ready()).rejects.toThrow('route POST /api/v1/plugin-route declares no action');
  });

  it('fails to start when a route names an action the policy does not know', async () => {
    const app = bareApp();
    const config = { action: 'secrets.read' } as unknown as { action: 'audit.read' };
    app.get('/api/v1/secrets', { config }, () => 'x');

    await expect(app.ready()).rejects.toThrow('declares unknown action secrets.read');
  });

  it('fails to start when a route calls a non-public action public', async () => {
    const app = bareApp();
    app.get('/api/v1/audit', { config: { action: 'audit.read', public: true } }, () => 'x');

    await expect(app.ready()).rejects.toThrow('says public: true but its action is not');
  });

  it('answers a declared route: public without a caller, others 401 without one', async () => {
    const app = bareApp();
    app.get('/healthz', { config: { action: 'service.health' } }, () => 'up');
    app.get('/api/v1/audit', { config: { action: 'audit.read' } }, () => 'log');

    const [open, closed] = await Promise.all([
      app.inject({ url: '/healthz' }),
      app.inject({ url: '/api/v1/audit' }),
    ]);
    expect([open.statusCode, closed.statusCode]).toEqual([200, 401]);
  });
});
