/**
 * The command line refuses what the HTTP routes refuse: a customer report through `ingest`
 * (it comes only from a tenant user, POST /api/v1/reports) and a report title with a line
 * break or nothing visible in `report-signal`. Each refusal names its field and stores nothing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { signals } from '../../src/store/schema.ts';
import { type CliFolder, cliFolder } from '../support/cli-run.ts';

describe('report refusals on the command line [pglite]', () => {
  let cli: CliFolder;

  beforeEach(async () => {
    cli = await cliFolder();
  });
  afterEach(() => cli.dispose());

  const storedSignals = () => cli.withStore((store) => store.db.select().from(signals));

  it('ingest rejects a customer_report line, naming sourceKind', async () => {
    const file = join(cli.dir, 'alerts.ndjson');
    const line = { time: '2026-11-30T08:00:00Z', title: 'Leak', sourceKind: 'customer_report' };
    await writeFile(file, `${JSON.stringify(line)}\n`);

    const result = await cli.run('ingest', file, '--format', 'generic', '--json');

    expect(result.code).toBe(3);
    expect(result.err).toMatch(/line 1: rejected BD_INTAKE_FIELD_INVALID \(sourceKind\)/);
    expect(JSON.parse(result.out.join(''))).toMatchObject({ accepted: 0, rejected: 1 });
    expect(await storedSignals()).toEqual([]);
  });

  it('report-signal refuses a title with a line break, naming title', async () => {
    const result = await cli.run('report-signal', '--title', 'Laptop stolen\nfrom the office');

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/BD_INTAKE_FIELD_INVALID.*\(field: title\)/);
    expect(await storedSignals()).toEqual([]);
  });

  it('report-signal refuses a title of invisible characters, naming title', async () => {
    const result = await cli.run('report-signal', '--title', '\u200b \u200b');

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/BD_INTAKE_FIELD_MISSING.*\(field: title\)/);
    expect(await storedSignals()).toEqual([]);
  });

  it('report-signal still takes a one-line title', async () => {
    const result = await cli.run('report-signal', '--title', 'Laptop stolen from the office');

    expect(result.code).toBe(0);
    expect(await storedSignals()).toHaveLength(1);
  });
});
