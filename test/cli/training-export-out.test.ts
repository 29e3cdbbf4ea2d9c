/**
 * `breachdesk training export --out`: the file holds people's names and e-mail addresses, so it
 * is written new, readable by its owner only, and never over or through anything already at
 * --out (a file, a symbolic link, a folder or a FIFO). A refusal leaves --out and the database
 * as they were. Real command line in process on a PGlite folder of its own.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliFolder, type CliFolder } from '../support/cli-run.ts';
import { fullSnapshot, joinPerson } from '../training/training-fixtures.ts';

describe('breachdesk training export --out', () => {
  let cli: CliFolder;

  beforeEach(async () => {
    cli = await cliFolder();
    await cli.withStore(({ db }) =>
      joinPerson(db, 'rita@provider.example', '2026-01-05T00:00:00Z'),
    );
  });
  afterEach(async () => {
    await cli.dispose();
  });

  const leftovers = async () => (await readdir(cli.dir)).filter((f) => f.includes('.partial'));

  it('writes a new file readable by its owner only, with no temporary file left', async () => {
    const out = join(cli.dir, 'training.csv');

    const run = await cli.run('training', 'export', '--out', out);

    expect(run.code).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await readFile(out, 'utf8')).toContain('rita@provider.example');
    expect(await leftovers()).toEqual([]);
  });

  it('refuses an existing file, leaving it and the database as they were', async () => {
    const out = join(cli.dir, 'training.csv');
    await writeFile(out, 'keep me\n');
    const before = await cli.withStore(({ db }) => fullSnapshot(db));

    const run = await cli.run('training', 'export', '--out', out);

    expect(run.code).toBe(2);
    expect(run.err).toContain('error BD_REQUEST_INVALID:');
    expect(run.err).toContain('(field: out)');
    expect(await readFile(out, 'utf8')).toBe('keep me\n');
    expect(await cli.withStore(({ db }) => fullSnapshot(db))).toEqual(before);
  });

  it('never writes through a symbolic link to a file', async () => {
    const target = join(cli.dir, 'target.txt');
    await writeFile(target, 'keep me\n');
    const out = join(cli.dir, 'link.csv');
    await symlink(target, out);

    const run = await cli.run('training', 'export', '--out', out);

    expect(run.code).toBe(2);
    expect(run.err).toContain('(field: out)');
    expect(await readFile(target, 'utf8')).toBe('keep me\n');
    expect((await lstat(out)).isSymbolicLink()).toBe(true);
  });

  it('never creates the target of a dangling symbolic link', async () => {
    const target = join(cli.dir, 'elsewhere.csv');
    const out = join(cli.dir, 'dangling.csv');
    await symlink(target, out);

    const run = await cli.run('training', 'export', '--out', out);

    expect(run.code).toBe(2);
    expect(run.err).toContain('(field: out)');
    expect(await readlink(out)).toBe(target);
    await expect(lstat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a folder, leaving it empty', async () => {
    const out = join(cli.dir, 'folder');
    await mkdir(out);

    const run = await cli.run('training', 'export', '--out', out);

    expect(run.code).toBe(2);
    expect(run.err).toContain('error BD_REQUEST_INVALID:');
    expect(run.err).toContain('(field: out)');
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a FIFO, writing nothing into it', async () => {
    const out = join(cli.dir, 'pipe');
    await promisify(execFile)('mkfifo', [out]);
    // A reader is attached so that a write into the FIFO shows up here instead of hanging.
    const reader = await open(out, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const run = await cli.run('training', 'export', '--out', out);

      expect(run.code).toBe(2);
      expect(run.err).toContain('(field: out)');
      const { bytesRead } = await reader.read(Buffer.alloc(64), 0, 64, null).catch(() => ({
        bytesRead: 0,
      }));
      expect(bytesRead).toBe(0);
      expect((await lstat(out)).isFIFO()).toBe(true);
    } finally {
      await reader.close();
    }
  });
});
