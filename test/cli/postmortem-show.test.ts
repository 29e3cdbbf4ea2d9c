/**
 * `breachdesk show` as an operator runs it: the operator holds the data folder, so the
 * post-mortem is shown in full, and the read is audited like any other (docs/postmortems.md).
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { writePostmortem } from '../../src/investigations/workflow.ts';
import { auditLog } from '../../src/store/schema.ts';
import { cliFolder, type CliFolder } from '../support/cli-run.ts';
import { openInvestigation, seedTenants } from '../support/factories.ts';

const OPERATOR = `cli:${process.env.USER ?? 'cli'}`;
const SECRET = 'a contractor laptop kept a copy of the production database';

let folder: CliFolder;

beforeEach(async () => {
  folder = await cliFolder();
  await folder.withStore(async ({ db }) => {
    await seedTenants(db, ['acme']);
    const id = await openInvestigation(db);
    await writePostmortem(db, cliActor('incident_manager', 'ines'), id, {
      summary: 'Data left on a laptop',
      rootCause: SECRET,
      lessons: 'wipe laptops',
      actions: ['wipe the laptop'],
    });
  });
});
afterEach(async () => {
  await folder.dispose();
});

it('shows the post-mortem to the operator and audits the read with the role given', async () => {
  const run = await folder.run('show', 'INV-1', '--role', 'investigator');

  expect(run.code).toBe(0);
  expect(run.out.join('\n')).toContain(SECRET);
  const reads = await folder.withStore(({ db }) =>
    db.select().from(auditLog).where(eq(auditLog.action, 'postmortem.read')),
  );
  expect(reads.map((r) => [r.actor, JSON.parse(r.data) as unknown])).toEqual([
    [`${OPERATOR} (investigator)`, { via: 'investigation', operator: true, written: true }],
  ]);
});
