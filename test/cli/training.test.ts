/**
 * `breachdesk training` and `breachdesk oncall` as an operator runs them: the real command
 * line in process on a PGlite folder of its own.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliFolder, type CliFolder } from '../support/cli-run.ts';
import { fullSnapshot, joinPerson } from '../training/training-fixtures.ts';

const DAY = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString();

describe('breachdesk training and oncall', () => {
  let cli: CliFolder;

  beforeEach(async () => {
    cli = await cliFolder();
  });
  afterEach(async () => {
    await cli.dispose();
  });

  const seed = () =>
    cli.withStore(({ db }) =>
      joinPerson(db, 'rita@provider.example', '2026-01-05T00:00:00Z', { name: '+SUM(1,2)' }),
    );

  it('refuses to report statuses from a data folder that does not exist', async () => {
    const run = await cli.run('training', 'status');

    expect(run.code).toBe(2);
    expect(run.err).toContain('BD_CONFIG_INVALID');
  });

  it('records a completion and shows the topic as ok while the rest still need doing', async () => {
    await seed();

    const recorded = await cli.run(
      'training',
      'record',
      '--person',
      'rita@provider.example',
      '--topic',
      'escalation',
      '--completed-at',
      daysFromNow(-1),
      '--as',
      'mira',
    );
    const status = await cli.run('training', 'status', '--due', '--json');

    expect(recorded.code).toBe(0);
    expect(recorded.out[0]).toMatch(/^recorded \S+ rita@provider\.example escalation@2026\.1$/);
    const [rita] = JSON.parse(status.out[0] ?? '[]') as { topics: { topic: string }[] }[];
    expect(rita?.topics.map((t) => t.topic)).not.toContain('escalation');
    expect(rita?.topics).toHaveLength(5);
  });

  it('refuses an unknown topic with exit code 2, naming the field, storing nothing', async () => {
    await seed();
    const before = await cli.withStore(({ db }) => fullSnapshot(db));

    const run = await cli.run(
      'training',
      'record',
      '--person',
      'rita@provider.example',
      '--topic',
      'phishing',
      '--completed-at',
      daysFromNow(-1),
    );

    expect(run.code).toBe(2);
    expect(run.err).toContain('error BD_TRAINING_INVALID: unknown topic phishing');
    expect(run.err).toContain('(field: topic)');
    expect(await cli.withStore(({ db }) => fullSnapshot(db))).toEqual(before);
  });

  it('exports the status as CSV to a file with formula prefixes neutralised', async () => {
    await seed();
    const out = join(cli.dir, 'training.csv');

    const run = await cli.run('training', 'export', '--format', 'csv', '--out', out);

    expect(run.code).toBe(0);
    const csv = await readFile(out, 'utf8');
    expect(csv.split('\r\n')[1]).toContain(`,"'+SUM(1,2)",responder,`);
  });

  it('warns on stderr when an untrained person is put on call; removes the shift', async () => {
    await seed();

    const added = await cli.run(
      'oncall',
      'add',
      '--person',
      'rita@provider.example',
      '--from',
      daysFromNow(1),
      '--to',
      daysFromNow(3),
      '--json',
    );
    const id = JSON.parse(added.out[0] ?? '{}').shift.id as string;
    const dry = await cli.run('oncall', 'remove', id, '--dry-run');
    const listed = (await cli.run('oncall', 'list', '--json')).out[0] ?? '[]';
    const listedBefore = JSON.parse(listed) as { id: string }[];
    const removed = await cli.run('oncall', 'remove', id);
    const listedAfter = (await cli.run('oncall', 'list', '--json')).out[0];

    expect(added.err.match(/^warning: rita@provider\.example has never completed/gm)).toHaveLength(
      6,
    );
    expect(dry.out[0]).toMatch(/^would remove /);
    expect(listedBefore.map((s) => s.id)).toEqual([id]);
    expect(removed.out[0]).toMatch(/^removed /);
    expect(listedAfter).toBe('[]');
  });
});
