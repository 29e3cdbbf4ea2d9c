/**
 * Runs the real `breachdesk` command line in process on a PGlite folder of its own, capturing
 * stdout lines and stderr text.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { vi } from 'vitest';

import { main } from '../../src/cli/main.ts';
import { openStore, type Store } from '../../src/store/db.ts';

export interface CliRun {
  code: number;
  out: string[];
  err: string;
}

export interface CliFolder {
  dir: string;
  /** Runs one command against the folder. */
  run(...args: string[]): Promise<CliRun>;
  /** Opens the folder's store (to seed or inspect it) and always closes it. */
  withStore<T>(use: (store: Store) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export async function cliFolder(): Promise<CliFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'bd-cli-'));
  const dataDir = join(dir, 'data');

  return {
    dir,
    async run(...args) {
      const saved = process.env.DATABASE_URL;
      delete process.env.DATABASE_URL;
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
        const code = await main(['node', 'breachdesk', '--data-dir', dataDir, ...args]);
        return { code, out, err };
      } finally {
        log.mockRestore();
        stderr.mockRestore();
        if (saved !== undefined) process.env.DATABASE_URL = saved;
      }
    },
    async withStore(use) {
      const store = await openStore({ dataDir });
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
