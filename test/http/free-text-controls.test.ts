/**
 * Text people later read in the console, in notices or in evidence must not carry bidi
 * overrides or isolates (U+202A-U+202E, U+2066-U+2069) or control characters, which can make a
 * line display in another order than it is stored. A scoping request's principals and log
 * paths, and a suppression rule's owner and reason, are refused with a coded 400 naming the
 * field, as report titles are; the refusal leaves the stored data and the audit log as they
 * were. Line breaks stay allowed where the text has several lines (a rule's reason).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants } from '../support/factories.ts';
import { snapshotWithRules } from '../support/rules-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ATTACKER = 'arn:aws:sts::999999999999:assumed-role/intruder/session';
const DAY = 86_400_000;

/** Characters that turn a line around or break it, each as one case of its own. */
const BIDI = ['\u202A', '\u202E', '\u2066', '\u2069'];
const CONTROLS = ['\u0007', '\u001B', '\u0085'];

/** One CloudTrail record of ATTACKER reading an object of acme's bucket. */
const TRAIL = JSON.stringify({
  Records: [
    {
      eventVersion: '1.08',
      eventTime: '2026-11-30T08:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      sourceIPAddress: '203.0.113.50',
      userIdentity: { type: 'AssumedRole', arn: ATTACKER },
      recipientAccountId: '111111111111',
      requestParameters: { bucketName: 'acme-data', key: 'export.csv' },
    },
  ],
});

const hex = (c: string) =>
  `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

describeEachBackend('free text without bidi or control characters', (backend) => {
  let store: Store;
  let server: TestServer;
  let investigationId: string;
  let logRoot: string;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    investigationId = await openInvestigation(store.db);
    server = await startTestServer(store);
    logRoot = await mkdtemp(join(tmpdir(), 'bd-free-text-'));
    process.env.BREACHDESK_LOG_ROOTS = logRoot;
  });
  afterEach(async () => {
    delete process.env.BREACHDESK_LOG_ROOTS;
    await rm(logRoot, { recursive: true, force: true });
    await server.app.close();
    await store.close();
  });

  const post = (url: string, role: string, payload?: object) =>
    server.app.inject({ method: 'POST', url, headers: server.as(role), payload });

  const scope = (paths: string[], principals: string[]) =>
    post(`/api/v1/investigations/${investigationId}/scoping`, 'responder', {
      paths,
      format: 'cloudtrail',
      indicators: { principals },
    });

  /** A trail file in the log root under `name`, ready to be scoped. */
  async function trail(name: string): Promise<string> {
    const path = join(logRoot, name);
    await writeFile(path, TRAIL);
    return path;
  }

  /** Asserts that `send` is refused with `code` on `field` and that nothing was stored. */
  async function expectRefused(
    send: () => Promise<{ statusCode: number; body: string; json(): unknown }>,
    error: { code: string; field: string },
  ): Promise<string> {
    const before = await snapshotWithRules(store.db);
    const res = await send();

    expect(res.statusCode, res.body).toBe(400);
    const body = res.json() as { error: { code: string; field: string; message: string } };
    expect(body.error).toMatchObject(error);
    expect(await snapshotWithRules(store.db)).toEqual(before);
    return body.error.message;
  }

  it('scopes a clean request and records its run (cases below differ by one char)', async () => {
    const res = await scope([await trail('trail.json')], [ATTACKER]);

    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ eventsMatched: 1 });
  });

  it.each([...BIDI, ...CONTROLS, '\n'].map((c) => [hex(c), c]))(
    'refuses an attacker principal holding %s, recording no scoping run',
    async (_name, c) => {
      const path = await trail('trail.json');

      const message = await expectRefused(() => scope([path], [ATTACKER, `${ATTACKER}${c}x`]), {
        code: 'BD_SCOPE_INVALID',
        field: 'principals[1]',
      });
      expect(message).toContain(hex(c));
    },
  );

  it.each([...BIDI, ...CONTROLS, '\n'].map((c) => [hex(c), c]))(
    'refuses a log path holding %s, recording no scoping run',
    async (_name, c) => {
      // The file exists under that very name: only the character is wrong with the path.
      const clean = await trail('clean.json');
      const odd = await trail(`gpj${c}.json`);

      const message = await expectRefused(() => scope([clean, odd], [ATTACKER]), {
        code: 'BD_SCOPE_INVALID',
        field: 'paths[1]',
      });
      expect(message).toContain(hex(c));
    },
  );

  const rule = (over: Record<string, unknown> = {}) => ({
    match: { sourceIp: '198.51.100.0/24' },
    reason: 'the vulnerability scanner of the security team scans from this range nightly',
    expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
    ...over,
  });

  it.each([...BIDI, ...CONTROLS].map((c) => [hex(c), c]))(
    "refuses a suppression rule's reason holding %s, storing no rule",
    async (_name, c) => {
      const reason = `scanner traffic, ${c}safe to mute`;

      const message = await expectRefused(
        () => post('/api/v1/suppression-rules', 'incident_manager', rule({ reason })),
        { code: 'BD_SUPPRESSION_INVALID', field: 'reason' },
      );
      expect(message).toContain(hex(c));
    },
  );

  it.each([...BIDI, ...CONTROLS, '\n'].map((c) => [hex(c), c]))(
    "refuses a suppression rule's owner holding %s, storing no rule",
    async (_name, c) => {
      const message = await expectRefused(
        () => post('/api/v1/suppression-rules', 'incident_manager', rule({ owner: `in${c}es` })),
        { code: 'BD_SUPPRESSION_INVALID', field: 'owner' },
      );
      expect(message).toContain(hex(c));
    },
  );

  it("keeps the line breaks and tabs of a rule's reason (text of several lines)", async () => {
    const reason = 'scanner traffic:\n\tnightly from 198.51.100.0/24\r\nsafe to mute';
    const res = await post('/api/v1/suppression-rules', 'incident_manager', rule({ reason }));

    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().reason).toBe(reason);
  });

  it('refuses a rule from a classification, its reason with U+202E, storing neither', async () => {
    const classify = () =>
      post(`/api/v1/investigations/${investigationId}/classification`, 'incident_manager', {
        classification: 'false_positive',
        rootCause: 'nightly scan by our own vulnerability scanner',
        suppress: rule({ reason: 'scanner \u202Eetum ot efas' }),
      });

    await expectRefused(classify, { code: 'BD_SUPPRESSION_INVALID', field: 'suppress.reason' });
  });

  it('refuses a revocation reason with U+2066, leaving the rule active, unaudited', async () => {
    const created = await post('/api/v1/suppression-rules', 'incident_manager', rule());
    const url = `/api/v1/suppression-rules/${created.json().id}/revocation`;

    await expectRefused(() => post(url, 'responder', { reason: 'noisy \u2066again' }), {
      code: 'BD_SUPPRESSION_INVALID',
      field: 'reason',
    });
  });
});
