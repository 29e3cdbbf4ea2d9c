/**
 * What the server logs carries no secret and no personal data: not the API token (header or
 * query string), not the parameters of a failed query, not fields named for secrets or
 * message contents.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { captureLog } from '../support/log-capture.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('the logger', () => {
  it('redacts secret and personal fields wherever a call site puts them', () => {
    const log = captureLog();
    log.logger.info(
      {
        token: 'bd_top_secret_1',
        contact: { email: 'dpo@acme.example', password: 'hunter2' },
        mail: { text: 'Dear Ms Example, your account…', html: '<p>Dear Ms Example</p>' },
        body: 'raw request body',
      },
      'something happened',
    );

    expect(log.text()).not.toMatch(/bd_top_secret_1|dpo@acme|hunter2|Ms Example|raw request/);
    expect(log.text()).toContain('[redacted]');
  });
});

describeEachBackend('request logging', (backend) => {
  let store: Store;
  let server: TestServer;
  let log: ReturnType<typeof captureLog>;

  beforeEach(async () => {
    store = await backend.open();
    log = captureLog();
    server = await startTestServer(store, { server: { logger: log.logger } });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('never writes a token sent in the header or the query string', async () => {
    const token = server.tokens.responder ?? '';
    await server.app.inject({
      method: 'GET',
      url: `/api/v1/investigations?token=${token}&access_token=${token}`,
      headers: server.as('responder'),
    });
    await server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      headers: { authorization: 'Bearer bd_wrong_guess_42' },
    });

    expect(log.entries().some((e) => e.msg === 'incoming request')).toBe(true);
    expect(log.text()).not.toContain(token);
    expect(log.text()).not.toContain('bd_wrong_guess_42');
  });

  it('logs a failed query without its parameters', async () => {
    await store.db.execute(sql`
      CREATE FUNCTION refuse_token() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'token table is read-only'; END $$`);
    await store.db.execute(
      sql`CREATE TRIGGER refuse_token BEFORE INSERT ON api_tokens
          FOR EACH ROW EXECUTE FUNCTION refuse_token()`,
    );

    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.as('admin'),
      payload: { label: 'Alice Example laptop', role: 'responder' },
    });

    expect(res.statusCode).toBe(500);
    const logged = JSON.stringify(log.entries().find((e) => e.msg === 'internal error'));
    expect(logged).toContain('token table is read-only');
    expect(logged).not.toContain('Alice Example');
  });
});
