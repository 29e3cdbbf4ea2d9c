/**
 * `breachdesk ingest` as a script runs it: the real command in a child process, on an embedded
 * database in `dataDir`, with flags only (BREACHDESK_* and DATABASE_URL would point it
 * elsewhere). Resolves with the exit code and output whatever the code.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/breachdesk.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function runIngest(
  dataDir: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('BREACHDESK_') && k !== 'DATABASE_URL',
    ),
  );
  const argv = [BIN, '--data-dir', dataDir, 'ingest', ...args];
  try {
    const { stdout, stderr } = await run('node', argv, { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
