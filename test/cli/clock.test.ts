/**
 * `breachdesk clock` as a script sees it: the real command in a child process, stdout parsed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/breachdesk.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the command; resolves with exit code and output whatever the code. */
async function clock(...args: string[]) {
  // The flags' environment variables would change the answers; the test gives flags only.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('BREACHDESK_')),
  );
  try {
    const { stdout, stderr } = await run('node', [BIN, 'clock', ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.concurrent('breachdesk clock', () => {
  it('prints the Art. 33(1) deadline as JSON for awareness 2024-03-30 10:00 Berlin', async () => {
    const { code, stdout } = await clock(
      'gdpr-33-1',
      '--aware',
      '2024-03-30T10:00',
      '--zone',
      'Europe/Berlin',
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      regime: 'gdpr-33-1',
      filings: [{ filing: 'authority', due: '2024-04-02T09:00:00.000Z', dueDate: '2024-04-02' }],
    });
  });

  it('takes a filing already made with --filed', async () => {
    // Notification filed 2024-01-31 10:00 CET → final report 2024-02-29 10:00 CET = 09:00Z.
    const { stdout } = await clock(
      'nis2',
      '--aware',
      '2024-01-29T10:00',
      '--filed',
      'notification=2024-01-31T10:00',
      '--zone',
      'Europe/Berlin',
      '--json',
    );
    const { filings } = JSON.parse(stdout) as { filings: { filing: string; due: string }[] };
    const final = filings.find((f) => f.filing === 'final-report');
    expect(final?.due).toBe('2024-02-29T09:00:00.000Z');
  });

  it('shows people a table with the time left', async () => {
    const { code, stdout } = await clock(
      'sec-8k',
      '--determined',
      '2024-07-03T12:00:00-04:00',
      '--now',
      '2024-07-09T21:30:00Z',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /form-8k\s+2024-07-10 17:30 -04:00\s+2024-07-10T21:30:00.000Z\s+1 d 0 h left/,
    );
  });

  it('exits 2 with a coded error for an instant without offset or zone', async () => {
    const { code, stdout, stderr } = await clock(
      'gdpr-33-1',
      '--aware',
      '2024-03-30T10:00',
      '--json',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error BD_DEADLINE_INVALID: .*\(field: aware\)/);
    expect(stdout).toBe('');
  });

  it('exits 2 with a coded error, not a stack, for an instant out of range', async () => {
    const { code, stderr } = await clock('nis2', '--aware', '+275760-09-13T00:00:00Z');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error BD_DEADLINE_INVALID: .*\(field: aware\)\n$/);
  });

  it('exits 2 listing the regime ids for an unknown regime', async () => {
    const { code, stderr } = await clock('hipa', '--aware', '2024-03-30T10:00:00Z');
    expect(code).toBe(2);
    expect(stderr).toContain('gdpr-33-2, gdpr-33-1, gdpr-34');
  });
});
