import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { detectCompression, expandPaths, globToRegExp } from '../../src/scoping/files.ts';

describe('expandPaths', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bd-scope-files-'));
    await mkdir(path.join(dir, 'logs/2024/03/01'), { recursive: true });
    await mkdir(path.join(dir, 'logs/2024/03/02'), { recursive: true });
    await writeFile(path.join(dir, 'logs/2024/03/01/a.json.gz'), gzipSync('{}'));
    await writeFile(path.join(dir, 'logs/2024/03/02/b.json.gz'), gzipSync('{}'));
    await writeFile(path.join(dir, 'logs/2024/03/02/b.json'), '{}');
    await writeFile(path.join(dir, 'logs/top.json.gz'), gzipSync('{}'));
    await writeFile(path.join(dir, 'logs/README.md'), '# logs');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('expands ** across any depth, including none', async () => {
    const files = await expandPaths(['logs/**/*.json.gz'], dir);

    expect(files.map((f) => path.relative(dir, f))).toEqual([
      'logs/2024/03/01/a.json.gz',
      'logs/2024/03/02/b.json.gz',
      'logs/top.json.gz',
    ]);
  });

  it('returns a sorted list without duplicates across patterns and plain paths', async () => {
    const files = await expandPaths(
      ['logs/top.json.gz', 'logs/*.json.gz', `${dir}/logs/2024/03/0?/b.json*`],
      dir,
    );

    expect(files.map((f) => path.relative(dir, f))).toEqual([
      'logs/2024/03/02/b.json',
      'logs/2024/03/02/b.json.gz',
      'logs/top.json.gz',
    ]);
  });

  it('names the pattern that matches nothing', async () => {
    const run = expandPaths(['logs/**/*.json.gz', 'logs/**/*.parquet'], dir);

    await expect(run).rejects.toMatchObject({ code: 'BD_SCOPE_NO_FILES' });
    await expect(run).rejects.toThrow('logs/**/*.parquet');
  });

  it('names a missing plain file', async () => {
    await expect(expandPaths(['logs/nope.json'], dir)).rejects.toThrow('logs/nope.json');
  });

  it('refuses a pattern that sweeps in a file named with a control or bidi character', async () => {
    await mkdir(path.join(dir, 'odd'), { recursive: true });
    await writeFile(path.join(dir, 'odd/plain.json'), '{}');
    await writeFile(path.join(dir, 'odd/x\u009b31m\u202Egpj.json'), '{}');

    const run = expandPaths(['odd/*.json'], dir);

    await expect(run).rejects.toMatchObject({ code: 'BD_SCOPE_INVALID', field: 'paths[0]' });
    await expect(run).rejects.toThrow('x\\u009b31m\\u202egpj.json');
    await expect(run).rejects.toThrow(/U\+009B/);
  });

  it('asks for a pattern when given a directory', async () => {
    await expect(expandPaths(['logs'], dir)).rejects.toThrow(/directory/);
  });

  it('tells gzip from plain text by content, not by name', async () => {
    await writeFile(path.join(dir, 'disguised.log'), gzipSync('{}'));

    expect(await detectCompression(path.join(dir, 'disguised.log'))).toBe('gzip');
    expect(await detectCompression(path.join(dir, 'logs/2024/03/02/b.json'))).toBe('none');
  });
});

describe('globToRegExp', () => {
  it('supports classes and alternatives', () => {
    const re = globToRegExp('trail-[ab]/{us,eu}-*.json');

    expect(
      ['trail-a/us-1.json', 'trail-b/eu-2.json', 'trail-c/us-1.json'].map((p) => re.test(p)),
    ).toEqual([true, true, false]);
  });
});
