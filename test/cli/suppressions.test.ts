/**
 * `breachdesk suppressions`, `classify … suppress`, `report-signal` and `metrics
 * false-positives` as an operator runs them: the real command line in process, on a PGlite
 * folder and, when DATABASE_URL is set, on a fresh PostgreSQL database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { buildEveAlert, openInvestigation } from '../support/factories.ts';

const BASE_URL = process.env.DATABASE_URL ?? '';
const OPERATOR = `cli:${process.env.USER ?? 'cli'}`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const RULE = JSON.stringify({ sourceIp: '198.51.100.0/24' });

/** Where the commands keep their data: a PGlite folder, or a database of its own. */
interface Target {
  args: string[];
  databaseUrl: string | null;
  dispose(): Promise<void>;
}

async function pgliteTarget(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'bd-cli-suppress-'));
  return {
    args: ['--data-dir', dir],
    databaseUrl: null,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const name = `bd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;

  return {
    args: [],
    databaseUrl: url.toString(),
    dispose: async () => {
      const c = new pg.Client({ connectionString: BASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const targets = [
  { name: 'pglite', make: pgliteTarget, skip: false },
  { name: 'postgres', make: postgresTarget, skip: !BASE_URL },
];

for (const { name, make, skip } of targets) {
  describe.skipIf(skip)(`breachdesk suppressions and reports [${name}]`, () => {
    let target: Target;

    beforeEach(async () => {
      target = await make();
    });
    afterEach(async () => {
      await target.dispose();
      if (BASE_URL) process.env.DATABASE_URL = BASE_URL;
    });

    /** The store the commands use, opened here (and closed) to seed or inspect it. */
    async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
      const store = await openStore(
        target.databaseUrl
          ? { databaseUrl: target.databaseUrl }
          : { dataDir: target.args[1] ?? '' },
      );
      try {
        return await run(store);
      } finally {
        await store.close();
      }
    }

    /** Runs one command; returns the exit code, stdout lines and stderr text. */
    async function cli(...args: string[]) {
      if (target.databaseUrl) process.env.DATABASE_URL = target.databaseUrl;
      else delete process.env.DATABASE_URL;
      const out: string[] = [];
      let err = '';
      const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
        out.push(String(line));
      });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        err += String(chunk);
        return true;
      });
      try {
        const code = await main(['node', 'breachdesk', ...target.args, ...args]);
        return { code, out, err };
      } finally {
        log.mockRestore();
        stderr.mockRestore();
      }
    }
    // The commands print JSON of several shapes; each test reads the fields it checks.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json = (result: { out: string[] }): any => JSON.parse(result.out.join('\n'));

    it('creates, lists and revokes a rule as the operator', async () => {
      const created = json(
        await cli(
          'suppressions',
          'create',
          '--match',
          RULE,
          '--reason',
          'our scanner',
          '--expires-at',
          inDays(30),
          '--json',
        ),
      );

      const revoked = await cli(
        'suppressions',
        'revoke',
        created.id,
        '--reason',
        'moved',
        '--json',
      );
      const listed = json(await cli('suppressions', 'list', '--json'));

      expect(created).toMatchObject({ owner: OPERATOR, state: 'active' });
      expect(json(revoked)).toMatchObject({ revokedBy: `${OPERATOR} (incident_manager)` });
      expect(listed).toMatchObject([{ id: created.id, state: 'revoked' }]);
    });

    it('exits 2 naming expiresAt for an expiry in the past, creating nothing', async () => {
      const args = ['--match', RULE, '--reason', 'scanner', '--expires-at', inDays(-1)];
      const res = await cli('suppressions', 'create', ...args);

      expect(res.code).toBe(2);
      expect(res.err).toContain('error BD_SUPPRESSION_INVALID');
      expect(res.err).toContain('(field: expiresAt)');
      expect(json(await cli('suppressions', 'list', '--json'))).toEqual([]);
    });

    it('classify creates the rule of a false positive, linked to the investigation', async () => {
      const id = await withStore(({ db }) => openInvestigation(db, buildEveAlert()));
      const body = {
        classification: 'false_positive',
        rootCause: 'our scanner',
        suppress: { match: JSON.parse(RULE), reason: 'our scanner', expiresAt: inDays(30) },
      };

      const res = await cli('classify', 'INV-1', JSON.stringify(body), '--role', 'investigator');
      const rules = json(await cli('suppressions', 'list', '--json'));

      expect(res.code).toBe(0);
      expect(rules).toMatchObject([{ investigationId: id, owner: OPERATOR }]);
    });

    it('classify exits 2 for suppress with another classification, storing neither', async () => {
      await withStore(({ db }) => openInvestigation(db, buildEveAlert()));
      const body = {
        classification: 'not_security_event',
        suppress: { match: JSON.parse(RULE), reason: 'x', expiresAt: inDays(30) },
      };

      const res = await cli('classify', 'INV-1', JSON.stringify(body), '--role', 'investigator');
      const shown = json(await cli('show', 'INV-1'));

      expect(res.err).toContain('error BD_CLASSIFICATION_INVALID');
      expect(shown.classification).toBeNull();
      expect(json(await cli('suppressions', 'list', '--json'))).toEqual([]);
    });

    it('report-signal files an internal report with the operator as reporter', async () => {
      const res = await cli('report-signal', '--title', 'Laptop stolen from a car', '--json');

      const receipt = json(res);
      expect(receipt).toMatchObject({ kind: 'internal_report', status: 'accepted', opened: true });
      const [row] = await withStore(({ db }) =>
        db.select().from(signals).where(eq(signals.id, receipt.id)),
      );
      expect(row?.reporter).toBe(OPERATOR);
    });

    it('report-signal exits 2 for red-team activity without an exercise id', async () => {
      const res = await cli('report-signal', '--kind', 'red_team', '--title', 'Phishing wave');

      expect(res.code).toBe(2);
      expect(res.err).toContain('(field: exerciseId)');
    });

    it('metrics false-positives prints the rate per source kind', async () => {
      await withStore(({ db }) => openInvestigation(db, buildEveAlert()));
      await cli('report-signal', '--title', 'Laptop stolen from a car');
      const body = { classification: 'false_positive', rootCause: 'a test alert' };
      await cli('classify', 'INV-1', JSON.stringify(body));

      const report = json(await cli('metrics', 'false-positives', '--json'));

      expect(report.bySourceKind).toMatchObject([
        { sourceKind: 'automated_alert', opened: 1, falsePositives: 1, rate: 1 },
        { sourceKind: 'internal_report', opened: 1, falsePositives: 0, rate: 0 },
      ]);
    });
  });
}
