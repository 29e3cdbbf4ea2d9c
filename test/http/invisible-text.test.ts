/**
 * Names and reasons people read must show text, and a name must be what it looks like.
 * Regressions: a suppression rule with owner U+200D and reason U+200B U+200B was stored, a
 * principal of U+200D was accepted, `al\u200Bice` passed for `alice`, and a trailing line
 * break or U+2028 in a one-line field was trimmed away instead of refused. Each is now a coded
 * 400 naming the field, and the refusal leaves the stored data and the audit log as they were.
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

/** Values that show nothing although they are not empty once white space is trimmed. */
const BLANK = ['\u200D', '\u200B\u200B', '\uFEFF', '\u2060', '\u{E0041}\u{E007F}', '\u3164'];

/**
 * Format characters (Unicode category Cf) that make two names look alike: zero-width space,
 * non-joiner and joiner, word joiner, BOM, soft hyphen, a tag letter and the cancel tag.
 */
const FORMAT = [
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u00AD',
  '\u{E0061}',
  '\u{E007F}',
];

/** Line ends that String.prototype.trim would silently remove from the end of a value. */
const LINE_ENDS = ['\n', '\r\n', '\u2028', '\u2029'];

const hex = (c: string) =>
  `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
const cases = (chars: string[]) => chars.map((c) => [hex(c), c]);

describeEachBackend('names and reasons that show text', (backend) => {
  let store: Store;
  let server: TestServer;
  let investigationId: string;
  let logRoot: string;
  let trail: string;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    investigationId = await openInvestigation(store.db);
    server = await startTestServer(store);
    logRoot = await mkdtemp(join(tmpdir(), 'bd-invisible-'));
    process.env.BREACHDESK_LOG_ROOTS = logRoot;
    // An empty trail: the principal is the only thing wrong with the requests below.
    trail = join(logRoot, 'trail.json');
    await writeFile(trail, JSON.stringify({ Records: [] }));
  });
  afterEach(async () => {
    delete process.env.BREACHDESK_LOG_ROOTS;
    await rm(logRoot, { recursive: true, force: true });
    await server.app.close();
    await store.close();
  });

  const post = (url: string, role: string, payload?: object) =>
    server.app.inject({ method: 'POST', url, headers: server.as(role), payload });

  const scope = (principals: string[]) =>
    post(`/api/v1/investigations/${investigationId}/scoping`, 'responder', {
      paths: [trail],
      format: 'cloudtrail',
      indicators: { principals },
    });

  const rule = (over: Record<string, unknown> = {}) => ({
    match: { sourceIp: '198.51.100.0/24' },
    reason: 'the vulnerability scanner of the security team scans from this range nightly',
    expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
    ...over,
  });
  const createRule = (over: Record<string, unknown>) =>
    post('/api/v1/suppression-rules', 'incident_manager', rule(over));

  /** Asserts that `send` is refused with `code` on `field`, storing nothing; the message. */
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

  const SUPPRESSION = 'BD_SUPPRESSION_INVALID';
  const SCOPE = 'BD_SCOPE_INVALID';

  it.each(cases(BLANK))("refuses a rule's owner of only %s, storing no rule", async (_n, c) => {
    const message = await expectRefused(() => createRule({ owner: c }), {
      code: SUPPRESSION,
      field: 'owner',
    });
    expect(message).toMatch(/shows no text/);
  });

  it.each(cases(BLANK))("refuses a rule's reason of only %s, storing no rule", async (_n, c) => {
    const message = await expectRefused(() => createRule({ reason: ` ${c}\n${c} ` }), {
      code: SUPPRESSION,
      field: 'reason',
    });
    expect(message).toMatch(/shows no text/);
  });

  it('refuses a blank owner of a rule carried by a classification, storing neither', async () => {
    const classify = () =>
      post(`/api/v1/investigations/${investigationId}/classification`, 'incident_manager', {
        classification: 'false_positive',
        rootCause: 'nightly scan by our own vulnerability scanner',
        suppress: rule({ owner: '\u200D' }),
      });

    await expectRefused(classify, { code: SUPPRESSION, field: 'suppress.owner' });
  });

  it('refuses a revocation reason of only U+200B U+200B, leaving the rule active', async () => {
    const created = await createRule({});
    const url = `/api/v1/suppression-rules/${created.json().id}/revocation`;

    const message = await expectRefused(() => post(url, 'responder', { reason: '\u200B\u200B' }), {
      code: SUPPRESSION,
      field: 'reason',
    });
    expect(message).toMatch(/shows no text/);
  });

  it.each(cases(BLANK))('refuses a principal of only %s, recording no run', async (_n, c) => {
    const message = await expectRefused(() => scope([ATTACKER, c]), {
      code: SCOPE,
      field: 'principals[1]',
    });
    expect(message).toMatch(/shows no text/);
  });

  it.each(cases(FORMAT))("refuses a rule's owner al%sice, storing no rule", async (_n, c) => {
    const message = await expectRefused(() => createRule({ owner: `al${c}ice` }), {
      code: SUPPRESSION,
      field: 'owner',
    });
    expect(message).toContain(hex(c));
  });

  it.each(cases(FORMAT))('refuses a principal holding %s, recording no run', async (_n, c) => {
    const message = await expectRefused(() => scope([ATTACKER, `${ATTACKER}${c}`]), {
      code: SCOPE,
      field: 'principals[1]',
    });
    expect(message).toContain(hex(c));
  });

  it('refuses a BOM before an owner rather than trimming it away', async () => {
    const message = await expectRefused(() => createRule({ owner: '\uFEFFalice' }), {
      code: SUPPRESSION,
      field: 'owner',
    });
    expect(message).toContain('U+FEFF');
  });

  it.each(cases(LINE_ENDS))(
    "refuses a rule's owner ending in %s, not trimming it",
    async (_n, c) => {
      const message = await expectRefused(() => createRule({ owner: `alice${c}` }), {
        code: SUPPRESSION,
        field: 'owner',
      });
      expect(message).toContain(hex(c));
    },
  );

  it.each(cases(LINE_ENDS))('refuses a principal ending in %s, not trimming it', async (_n, c) => {
    const message = await expectRefused(() => scope([`${ATTACKER}${c}`]), {
      code: SCOPE,
      field: 'principals[0]',
    });
    expect(message).toContain(hex(c));
  });

  it('still stores an owner padded with spaces, trimmed, and names with accents', async () => {
    const padded = await createRule({ owner: '  alice  ' });
    const accented = await createRule({ owner: 'Zoe\u0308 Ødegård' });

    expect(padded.json().owner, padded.body).toBe('alice');
    expect(accented.json().owner, accented.body).toBe('Zoe\u0308 Ødegård');
  });

  it('still scopes a principal padded with spaces', async () => {
    const res = await scope([`  ${ATTACKER}  `]);

    expect(res.statusCode, res.body).toBe(200);
  });
});
