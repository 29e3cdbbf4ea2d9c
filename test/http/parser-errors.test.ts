/**
 * Refusals made before any route runs (by Node's HTTP parser, Fastify's router or its body
 * parsers) answer in the product's own shape: a 4xx, a BD_* code, the field at fault and a
 * message saying what to send, never Fastify's `{ statusCode, error }` and never a 500. Sent
 * byte for byte over a socket to a server on 127.0.0.1, so Node's own parser is in the path.
 */
import { connect, type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientError } from '../../src/http/client-errors.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  error: { code: string; message: string; field?: string };
}

/** Parses one HTTP/1.1 response as written on the wire (Content-Length or chunked body). */
function parseAnswer(wire: string): RawAnswer {
  const end = wire.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = wire.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let text = wire.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let out = '';
    for (let at = 0; ;) {
      const eol = text.indexOf('\r\n', at);
      const size = parseInt(text.slice(at, eol), 16);
      if (!size) break;
      out += text.slice(eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
    text = out;
  }
  const status = Number(statusLine.split(' ')[1]);
  const error = headers['content-type']?.startsWith('application/json')
    ? (JSON.parse(text) as { error: RawAnswer['error'] }).error
    : { code: '(none)', message: text };
  return { status, headers, text, error };
}

/**
 * Writes `bytes` to the server and reads until it closes the connection. The client does not
 * half-close: Node's server drops a request whose client sent FIN before the answer was ready.
 */
function sendRaw(port: number, bytes: string): Promise<RawAnswer> {
  return exchange(port, bytes).then(parseAnswer);
}

/** sendRaw's exchange, answering with everything the server wrote, as written. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let wire = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (wire += chunk));
    // A server that refuses mid-request resets the connection; what it wrote first still counts.
    socket.on('error', () => {});
    socket.on('close', () => resolve(wire));
    socket.write(bytes, 'latin1');
  });
}

interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Header lines written verbatim after the others (for malformed ones). */
  rawLines?: string[];
  /** Leave out the Host header. */
  noHost?: boolean;
}

function wireRequest(r: RawRequest): string {
  const lines = [`${r.method ?? 'GET'} ${r.path} HTTP/1.1`, 'Connection: close'];
  if (!r.noHost) lines.push('Host: 127.0.0.1');
  for (const [name, value] of Object.entries(r.headers ?? {})) lines.push(`${name}: ${value}`);
  if (r.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(r.body)}`);
  lines.push(...(r.rawLines ?? []));
  return `${lines.join('\r\n')}\r\n\r\n${r.body ?? ''}`;
}

/** Row count and digest of every table in the schema, so "stored nothing" covers them all. */
async function digestAllTables(db: Db): Promise<Record<string, string>> {
  const tables: unknown = await db.execute(
    sql`SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, string> = {};
  for (const { t } of (tables as { rows: { t: string }[] }).rows) {
    const res: unknown = await db.execute(
      sql.raw(
        `SELECT count(*)::text || ':' || ` +
          `md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM "${t}" x`,
      ),
    );
    out[t] = (res as { rows: { d: string }[] }).rows[0]?.d ?? '';
  }
  return out;
}

async function auditCount(db: Db): Promise<number> {
  const res: unknown = await db.execute(sql`SELECT count(*)::int AS n FROM audit_log`);
  return (res as { rows: { n: number }[] }).rows[0]?.n ?? -1;
}

const KIB = 1024;
const JSON_TYPE = { 'Content-Type': 'application/json' };

describeEachBackend('refusals made before a route runs', (backend) => {
  let store: Store;
  let server: TestServer;
  let port: number;

  const bearer = (role: string) => ({ Authorization: server.as(role).authorization });
  const report = (body: string, headers: Record<string, string> = JSON_TYPE) => ({
    method: 'POST',
    path: '/api/v1/reports',
    headers: { ...bearer('responder'), ...headers },
    body,
  });

  // One server for the file: no refusal changes anything, and the tests that prove it compare
  // the tables before and after their own request.
  beforeAll(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store, {
      server: { bodyLimits: { small: 4 * KIB }, console: true },
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    port = (server.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await server.app.close();
    await store.close();
  });

  const send = (r: RawRequest) => sendRaw(port, wireRequest(r));

  // [what, request, status, code, field]
  const cases: [string, () => RawRequest, number, string, string][] = [
    [
      'a malformed JSON body',
      () => report('{"title": "Phish'),
      400,
      'BD_REQUEST_INVALID',
      '(body)',
    ],
    ['an empty JSON body', () => report(''), 400, 'BD_REQUEST_INVALID', '(body)'],
    [
      'a JSON body with a __proto__ key',
      () => report('{"title": "x", "__proto__": {"admin": true}}'),
      400,
      'BD_REQUEST_INVALID',
      '(body)',
    ],
    [
      'a body of a type no route reads',
      () => report('title,description', { 'Content-Type': 'text/csv' }),
      415,
      'BD_REQUEST_INVALID',
      'content-type',
    ],
    [
      'a body without a Content-Type',
      () => report('{"title": "x"}', {}),
      415,
      'BD_REQUEST_INVALID',
      'content-type',
    ],
    [
      'a body in a Content-Encoding the server does not decode',
      () => report('{"title": "x"}', { ...JSON_TYPE, 'Content-Encoding': 'gzip' }),
      415,
      'BD_REQUEST_INVALID',
      'content-encoding',
    ],
    [
      'a body encoded twice, once as identity',
      () => report('{"title": "x"}', { ...JSON_TYPE, 'Content-Encoding': 'identity, br' }),
      415,
      'BD_REQUEST_INVALID',
      'content-encoding',
    ],
    [
      'a body over the route limit',
      () => report(JSON.stringify({ title: 'x', description: 'y'.repeat(8 * KIB) })),
      413,
      'BD_REQUEST_TOO_LARGE',
      '(body)',
    ],
    [
      'a broken percent escape in the path',
      () => ({ path: '/api/v1/reports/%E0%A4%A', headers: bearer('responder') }),
      400,
      'BD_REQUEST_INVALID',
      '(path)',
    ],
    [
      'an id over the length limit',
      () => ({ path: `/api/v1/reports/${'a'.repeat(150)}`, headers: bearer('responder') }),
      414,
      'BD_REQUEST_INVALID',
      '(path)',
    ],
    [
      'a broken percent escape in a query value',
      () => ({ path: '/api/v1/reports/mine?limit=%zz', headers: bearer('responder') }),
      400,
      'BD_REQUEST_INVALID',
      'limit',
    ],
    [
      'a percent escape that is not UTF-8 in a query name',
      () => ({ path: '/api/v1/reports/mine?%C0%80=1', headers: bearer('responder') }),
      400,
      'BD_REQUEST_INVALID',
      '(query)',
    ],
    [
      'a URL over the header size limit',
      () => ({ path: `/api/v1/reports/mine?x=${'a'.repeat(20 * KIB)}` }),
      431,
      'BD_REQUEST_INVALID',
      '(headers)',
    ],
    ['an unknown route', () => ({ path: '/api/v1/nowhere' }), 404, 'BD_NOT_FOUND', '(path)'],
    [
      'a method the route does not take',
      () => ({ method: 'DELETE', path: '/api/v1/reports', headers: bearer('admin') }),
      404,
      'BD_NOT_FOUND',
      '(path)',
    ],
    [
      'a method HTTP does not know',
      () => ({ method: 'BREW', path: '/healthz' }),
      400,
      'BD_REQUEST_INVALID',
      '(method)',
    ],
    [
      'a control character in a header value',
      () => ({ path: '/healthz', rawLines: ['X-Note: a\u0001b'] }),
      400,
      'BD_REQUEST_INVALID',
      '(headers)',
    ],
    [
      'a header name with a space',
      () => ({ path: '/healthz', rawLines: ['X Note: a'] }),
      400,
      'BD_REQUEST_INVALID',
      '(headers)',
    ],
    [
      'a Content-Length that is not a number',
      () => ({ method: 'POST', path: '/api/v1/reports', rawLines: ['Content-Length: ten'] }),
      400,
      'BD_REQUEST_INVALID',
      'content-length',
    ],
    [
      'two Content-Length headers',
      () => ({
        method: 'POST',
        path: '/api/v1/reports',
        headers: JSON_TYPE,
        body: '{}',
        rawLines: ['Content-Length: 3'],
      }),
      400,
      'BD_REQUEST_INVALID',
      'content-length',
    ],
    [
      'an HTTP/1.1 request without Host',
      () => ({ path: '/healthz', noHost: true }),
      400,
      'BD_REQUEST_INVALID',
      'host',
    ],
    [
      'a path that climbs out of the console assets',
      () => ({ path: '/assets/..%2f..%2fpackage.json' }),
      404,
      'BD_NOT_FOUND',
      '(path)',
    ],
  ];

  it.each(cases)('answers %s in the product shape', async (_what, build, status, code, field) => {
    const res = await send(build());

    expect(res.status).toBe(status);
    expect(res.error).toMatchObject({ code, field, message: expect.stringMatching(/send|see/) });
    expect(res.text).not.toMatch(/FST_|"statusCode"/);
  });

  it('keeps the security headers on a refusal made by the HTTP parser', async () => {
    const res = await send({ path: '/healthz', rawLines: ['X Note: a'] });

    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('does not echo markup from an unknown path back into the message', async () => {
    const res = await send({ path: '/api/v1/<script>alert(1)</script>?token=secret' });

    expect(res.error.message).toContain('/api/v1/%3Cscript%3Ealert(1)%3C/script%3E');
    expect(res.text).not.toMatch(/<script>|secret/);
  });

  it('does not echo a bad query value back into the message', async () => {
    const res = await send({
      path: '/api/v1/reports/mine?limit=%zz<b>',
      headers: bearer('responder'),
    });

    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<b>');
  });

  it('files a well-formed report, the control for the refusals below', async () => {
    const before = await auditCount(store.db);
    const res = await send(report('{"title": "Phishing mail to finance"}'));

    expect(res.status).toBe(201);
    expect(await auditCount(store.db)).toBeGreaterThan(before);
  });

  it.each([
    ['malformed', '{"title": "Phishing mail to finance", '],
    ['empty', ''],
    ['prototype-poisoning', '{"title": "x", "constructor": {"prototype": {"admin": true}}}'],
  ])('stores nothing and audits nothing for a %s report body', async (_what, body) => {
    const before = await digestAllTables(store.db);
    const audited = await auditCount(store.db);

    const res = await send(report(body));

    expect(res.status).toBe(400);
    expect(await auditCount(store.db)).toBe(audited);
    expect(await digestAllTables(store.db)).toEqual(before);
  });

  it('stores nothing and audits nothing for a malformed breach contact body', async () => {
    const before = await digestAllTables(store.db);

    const res = await send({
      method: 'POST',
      path: '/api/v1/tenants/acme/contacts',
      headers: { ...bearer('admin'), ...JSON_TYPE },
      body: '{"name": "DPO", "email": "dpo@acme.example"',
    });

    expect(res.error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: '(body)' });
    expect(await digestAllTables(store.db)).toEqual(before);
  });

  /**
   * Writes `head` and then body bytes every few milliseconds, as a client uploading a large
   * body does, until the server closes the connection or `waitMs` passes.
   */
  function upload(head: string, waitMs: number): Promise<{ wire: string; closed: boolean }> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let wire = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (wire += chunk));
      socket.on('error', () => {});
      const piece = 'x'.repeat(64 * KIB);
      const feeder = setInterval(() => socket.writable && socket.write(piece), 5);
      const finish = (closed: boolean) => {
        clearInterval(feeder);
        clearTimeout(timer);
        socket.destroy();
        resolve({ wire, closed });
      };
      const timer = setTimeout(() => finish(false), waitMs);
      socket.on('close', () => finish(true));
      socket.write(head, 'latin1');
    });
  }

  it('closes the connection after refusing a request whose body it has not read', async () => {
    const head = [
      'POST /api/v1/intake/suricata HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/x-ndjson',
      'Content-Encoding: gzip',
      `Content-Length: ${2 ** 30}`,
    ].join('\r\n');

    const { wire, closed } = await upload(`${head}\r\n\r\n`, 5_000);

    expect(parseAnswer(wire)).toMatchObject({
      status: 415,
      headers: { connection: 'close', 'accept-encoding': 'identity' },
      error: { field: 'content-encoding' },
    });
    // Not reading the gigabyte to its end: the server hung up.
    expect(closed).toBe(true);
  });

  it('keeps a fully answered connection open, and lets a GET carry an encoding', async () => {
    const get = (extra: string) => `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
    const wire = await exchange(
      port,
      get('Content-Encoding: gzip\r\n') + get('Connection: close\r\n'),
    );

    // Two answers on one connection: the first left it open.
    const answers = wire.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    expect(answers[0]).not.toMatch(/^connection: close/im);
  });
});

describe('answerClientError', () => {
  // A stand-in for the client's socket (the module boundary): it records what is written.
  function fakeSocket() {
    let written = '';
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        written += chunk.toString('latin1');
        done();
      },
    });
    return { socket, written: () => written };
  }
  const log = pino({ level: 'silent' });

  it('answers a request that did not arrive in time with 408 in the product shape', () => {
    const { socket, written } = fakeSocket();
    const error = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });

    answerClientError(error, socket, log);

    const res = parseAnswer(written());
    expect(res.status).toBe(408);
    expect(res.error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: '(request)' });
  });

  it('writes nothing to a connection the client already reset', () => {
    const { socket, written } = fakeSocket();
    const error = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

    answerClientError(error, socket, log);

    expect(written()).toBe('');
    expect(socket.destroyed).toBe(true);
  });
});
