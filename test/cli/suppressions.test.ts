/**
 * `breachdesk suppressions`, `classify … suppress`, `report-signal` and `metrics
 * false-positives` as an operator runs them: the real command line in process, on a PGlite
 * folder and, when DATABASE_URL is set, on a fresh PostgreSQL database.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { buildEveAlert, openInvestigation } from '../support/factories.ts';
import { CLI_TARGETS, type CliTarget } from '../support/cli-target.ts';

const OPERATOR = `cli:${process.env.USER ?? 'cli'}`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const RULE = JSON.stringify({ sourceIp: '198.51.100.0/24' });

for (const { name, make, skip } of CLI_TARGETS) {
  describe.skipIf(skip)(`breachdesk suppressions and reports [${name}]`, () => {
    let target: CliTarget;

    beforeEach(async () => {
      target = await make();
    });
    afterEach(async () => {
      await target.dispose();
    });

    const withStore = <T>(use: (store: Store) => Promise<T>) => target.withStore(use);
    const cli = (...args: string[]) => target.run(...args);

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
