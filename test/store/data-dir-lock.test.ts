import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bd-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('refuses a second process on a PGlite folder that a running process holds', async () => {
  const store = await openStore({ dataDir: dir });
  try {
    const child = spawn(
      process.execPath,
      ['bin/breachdesk.js', '--data-dir', dir, 'audit', 'verify'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // The folder is the point here, not a server the suite may also be running against.
        env: { ...process.env, DATABASE_URL: '' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(code).toBe(2);
    expect(stderr).toContain('BD_CONFIG_INVALID');
  } finally {
    await store.close();
  }
});

it('opens the folder again once its holder has closed it', async () => {
  const first = await openStore({ dataDir: dir });
  await first.close();
  const second = await openStore({ dataDir: dir });
  await second.close();
});
