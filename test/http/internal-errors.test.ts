/**
 * An error we did not expect (a TypeError, a database failure, a library error that happens to
 * carry a 4xx status) answers 500 BD_INTERNAL with only a reference; the cause goes to the log.
 */
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../src/http/error-response.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { captureLog } from '../support/log-capture.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const context = { id: 'req-1', log: pino({ level: 'silent' }) };

describe('toErrorResponse', () => {
  it('hides a TypeError behind a reference', () => {
    const { status, body } = toErrorResponse(
      new TypeError("Cannot read properties of undefined (reading 'tenantId')"),
      context,
    );
    expect(status).toBe(500);
    expect(body.error).toEqual({
      code: 'BD_INTERNAL',
      message: 'internal error; reference req-1',
      ref: 'req-1',
    });
  });

  it('hides a library error that carries a 4xx status of its own', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 10.20.30.40:5432 as breachdesk'), {
      statusCode: 400,
      code: 'ECONNREFUSED',
    });
    const { status, body } = toErrorResponse(error, context);
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('10.20.30.40');
  });

  it("still explains Fastify's own refusal of a request", () => {
    const error = Object.assign(new Error('Unsupported Media Type: text/csv'), {
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    });
    expect(toErrorResponse(error, context).status).toBe(415);
  });
});

describeEachBackend('internal errors over HTTP', (backend) => {
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

  it('answers a database error with a reference and logs the cause', async () => {
    // A failure inside the database, worded the way PostgreSQL words a unique violation.
    await store.db.execute(sql`
      CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE unique_violation USING MESSAGE = 'duplicate key value violates unique constraint',
          DETAIL = 'Key (email)=(dpo@acme.example) already exists.';
      END $$`);
    await store.db.execute(
      sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
          FOR EACH ROW EXECUTE FUNCTION refuse_audit()`,
    );

    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.as('admin'),
      payload: { label: 'ops bot', role: 'responder' },
    });

    expect(res.statusCode).toBe(500);
    expect(res.json().error).toEqual({
      code: 'BD_INTERNAL',
      message: `internal error; reference ${res.json().error.ref}`,
      ref: expect.any(String),
    });
    expect(res.body).not.toMatch(/duplicate|audit_log|dpo@|insert/i);
    const logged = log.entries().find((e) => e.ref === res.json().error.ref);
    expect(JSON.stringify(logged?.err)).toContain('duplicate key value');
  });
});

describeEachBackend('a lost database connection over HTTP', (backend) => {
  it('answers 500 with a reference and nothing of the driver error', async () => {
    const store = await backend.openOwn();
    let res;
    try {
      const server = await startTestServer(store);
      await store.close();
      res = await server.app.inject({
        method: 'GET',
        url: '/api/v1/investigations',
        headers: server.as('responder'),
      });
      await server.app.close();
    } finally {
      await store.close();
    }

    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('BD_INTERNAL');
    expect(res.json().error.message).toBe(`internal error; reference ${res.json().error.ref}`);
  });
});
