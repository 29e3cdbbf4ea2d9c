/**
 * `breachdesk audit export | verify --bundle | anchor` through the real command line: in
 * process on a PGlite folder of its own, and verification as an auditor runs it, in a child
 * process with no database settings at all.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFolder, cliFolder } from '../support/cli-run.ts';
import { seedAudit, truncateWithHead } from '../support/audit-seed.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/breachdesk.js', import.meta.url));

let cli: CliFolder;
let bundle: string;

beforeAll(async () => {
  cli = await cliFolder();
  await cli.withStore((store) => seedAudit(store.db, 4));
  expect((await cli.run('audit', 'anchor')).code).toBe(0);
  bundle = join(cli.dir, 'bundle.ndjson');
  expect((await cli.run('audit', 'export', '--out', bundle)).code).toBe(0);
});
afterAll(() => cli.dispose());

/** Runs `breachdesk audit verify --bundle` as an auditor would: no database, no data folder. */
async function auditorVerifies(...args: string[]) {
  const cwd = await mkdtemp(join(tmpdir(), 'bd-auditor-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('BREACHDESK_') && k !== 'DATABASE_URL',
    ),
  );
  try {
    const { stdout, stderr } = await run('node', [BIN, 'audit', 'verify', ...args], { cwd, env });
    return { code: 0, stdout, stderr, left: await readdir(cwd) };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, left: await readdir(cwd) };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

describe('audit verify --bundle, offline', () => {
  it('finds an untouched bundle intact with no database settings, opening no store', async () => {
    const result = await auditorVerifies('--bundle', bundle);

    expect(result).toMatchObject({ code: 0, left: [] });
    expect(result.stdout).toContain('audit bundle intact: 4 entries (entries 1..4), 1 anchors');
  });

  it('exits 1 with one JSON object naming the edited entry', async () => {
    const tampered = join(cli.dir, 'tampered.ndjson');
    const text = await readFile(bundle, 'utf8');
    await writeFile(tampered, text.replace(/("seq":2,.*?"actor":")cli:alice/, '$1cli:mallory'));

    const result = await auditorVerifies('--bundle', tampered, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, line: 3, seq: 2 });
  });

  it('exits 2 on a file that is not an audit bundle', async () => {
    const other = join(cli.dir, 'other.ndjson');
    await writeFile(other, '{"event_type":"alert"}\n');

    const result = await auditorVerifies('--bundle', other);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('BD_FILE_UNREADABLE');
  });

  it('exits 2 on a bundle that does not exist', async () => {
    const result = await auditorVerifies('--bundle', join(cli.dir, 'missing.ndjson'), '--json');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      error: { code: expect.any(String) },
    });
  });
});

describe('audit export', () => {
  it.each([
    ['--from', 'yesterday', 'from'],
    ['--from', '2026-03-01T00:00:00', 'from'],
    ['--to', '2026-02-30T00:00:00Z', 'to'],
  ])('refuses %s %s, naming the option', async (flag, value, field) => {
    const out = join(cli.dir, `range-${field}.ndjson`);
    const result = await cli.run('audit', 'export', flag, value, '--out', out);

    expect(result.code).toBe(2);
    expect(result.err).toContain(`error BD_REQUEST_INVALID: --${field}`);
    expect(result.err).toContain(`(field: ${field})`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --from after --to', async () => {
    const out = join(cli.dir, 'reversed.ndjson');
    const args = ['--from', '2026-03-02T00:00Z', '--to', '2026-03-01T00:00Z', '--out', out];
    const result = await cli.run('audit', 'export', ...args);

    expect(result.code).toBe(2);
    expect(result.err).toContain('is after --to');
  });

  it('refuses to overwrite an existing --out, and replaces it with --force', async () => {
    const out = join(cli.dir, 'existing.ndjson');
    await writeFile(out, 'keep me\n');

    const refused = await cli.run('audit', 'export', '--out', out);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('already exists; pass --force');
    expect(await readFile(out, 'utf8')).toBe('keep me\n');

    expect((await cli.run('audit', 'export', '--out', out, '--force')).code).toBe(0);
    expect((await cli.run('audit', 'verify', '--bundle', out)).code).toBe(0);
  });

  it('never replaces a FIFO, a folder or a symbolic link, even with --force', async () => {
    const fifo = join(cli.dir, 'pipe');
    await promisify(execFile)('mkfifo', [fifo]);
    const folder = join(cli.dir, 'folder');
    await mkdir(folder);
    const target = join(cli.dir, 'target.txt');
    await writeFile(target, 'keep me\n');
    const link = join(cli.dir, 'link');
    await symlink(target, link);

    for (const out of [fifo, folder, link]) {
      const refused = await cli.run('audit', 'export', '--out', out, '--force');
      expect(refused.code).toBe(2);
      expect(refused.err).toContain('is not a regular file');
    }
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('keep me\n');
    expect((await readdir(cli.dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('audit commands on a database that is not there', () => {
  it('refuse a mistyped --data-dir instead of finding a new empty log intact', async () => {
    const typo = join(cli.dir, 'dta');
    for (const args of [
      ['audit', 'verify'],
      ['audit', 'anchor'],
      ['audit', 'export', '--out', join(cli.dir, 'x.ndjson')],
    ]) {
      const result = await cli.run('--data-dir', typo, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toContain(`no Breachdesk database in ${typo}`);
    }
    expect(existsSync(typo)).toBe(false);
  });
});

describe('audit verify against the anchor file', () => {
  it('fails when the tail was deleted together with its head record', async () => {
    await cli.withStore((store) => truncateWithHead(store.db, 3));

    const result = await cli.run('audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.out.join('\n')).toMatch(
      /^audit log BROKEN at entry 3: entries 3\.\.4 missing from the end: anchor at \S+ names entry 4$/,
    );
  });
});
