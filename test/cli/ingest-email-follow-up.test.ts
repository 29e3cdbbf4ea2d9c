/**
 * `breachdesk ingest --format email` files a follow-up with its report however late it comes,
 * from a later file or further down the same mbox. Regression: past 24 hours (by the Date
 * headers) the follow-up opened a second investigation.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { investigations, signals } from '../../src/store/schema.ts';
import { type CliFolder, cliFolder } from '../support/cli-run.ts';

const DAY_MS = 86_400_000;

/** A message as a mail client writes it, dated by the (moved) clock. */
function message(over: { id: string; subject: string; headers?: string[] }): string {
  return [
    'From: Researcher <researcher@example.org>',
    'To: security@provider.example',
    `Subject: ${over.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${over.id}`,
    ...(over.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The export API at https://api.provider.example/v1 is injectable.',
    '',
  ].join('\r\n');
}

const REPORT = { id: '<r1@example.org>', subject: 'SQL injection in the export API' };
const FOLLOW_UP = {
  id: '<r2@example.org>',
  subject: 'More: the admin export is affected too',
  headers: ['In-Reply-To: <r1@example.org>', 'References: <r1@example.org>'],
};

describe('breachdesk ingest --format email follow-ups [pglite]', () => {
  let cli: CliFolder;

  beforeEach(async () => {
    // Only Date is faked, and it keeps running: the database's own timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
    cli = await cliFolder();
  });
  afterEach(async () => {
    await cli.dispose();
    vi.useRealTimers();
  });

  async function ingest(name: string, text: string) {
    const file = join(cli.dir, name);
    await writeFile(file, text);
    return cli.run('ingest', file, '--format', 'email', '--json');
  }
  const count = (table: typeof signals | typeof investigations) =>
    cli.withStore(async (store) => (await store.db.select().from(table)).length);

  it('files a follow-up read a week later with the report its In-Reply-To names', async () => {
    await ingest('report.eml', message(REPORT));
    vi.setSystemTime(new Date(Date.now() + 7 * DAY_MS));

    const result = await ingest('follow-up.eml', message(FOLLOW_UP));

    expect(JSON.parse(result.out.join(''))).toMatchObject({ accepted: 1 });
    expect([await count(signals), await count(investigations)]).toEqual([2, 1]);
  });

  it('files a follow-up further down the same mbox with its report', async () => {
    const first = message(REPORT);
    vi.setSystemTime(new Date(Date.now() + 3 * DAY_MS));
    const second = message(FOLLOW_UP);
    const mbox = [first, second]
      .map((text) => `From researcher@example.org Mon Mar  2 09:00:00 2026\n${text}`)
      .join('\n');

    await ingest('thread.mbox', mbox.replaceAll('\r\n', '\n'));

    expect([await count(signals), await count(investigations)]).toEqual([2, 1]);
  });
});
