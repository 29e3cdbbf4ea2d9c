/**
 * `breachdesk serve` anchors the audit chain by itself: the real command in a child process on
 * loopback, on a PGlite folder of its own.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/breachdesk.js', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bd-serve-anchors-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/**
 * Starts serve and stops it with SIGTERM once its first anchor is on disk (by then it has set
 * up its signal handlers), or lets it fail; reports the exit code and stderr.
 */
async function serveOnce(...args: string[]) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('BREACHDESK_') && k !== 'DATABASE_URL',
    ),
  );
  const argv = [BIN, '--data-dir', join(dir, 'data'), 'serve', '--port', '0', '--no-worker'];
  const child = spawn(process.execPath, [...argv, ...args], { env, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const poll = setInterval(() => {
    if (!existsSync(join(dir, 'data', 'audit-anchors.ndjson'))) return;
    clearInterval(poll);
    child.kill('SIGTERM');
  }, 100);
  // A server that never anchors is stopped all the same, and fails on its exit code.
  const giveUp = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  clearTimeout(giveUp);
  return { code, stderr };
}

it('anchors the head of the chain in the data folder while it serves', async () => {
  const { code } = await serveOnce();

  expect(code).toBe(0);
  // Starting up audits the first admin token: entry 1.
  const anchors = (await readFile(join(dir, 'data', 'audit-anchors.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; seq: number });
  expect(anchors).toMatchObject([{ kind: 'anchor', seq: 1 }]);
});

it('refuses a bad --anchor-interval before it opens anything', async () => {
  const { code, stderr } = await serveOnce('--anchor-interval', 'often');

  expect(code).toBe(2);
  expect(stderr).toContain('BD_CONFIG_INVALID: --anchor-interval');
  expect(existsSync(join(dir, 'data'))).toBe(false);
});
