/**
 * Safe names for evidence files in an export package: an outsider's attachment name never
 * reaches outside the package folder, never names a device, and never overwrites another.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SAFE_NAME_MAX_BYTES,
  safeFileName,
  uniqueSafeFileNames,
} from '../../src/evidence/file-names.ts';

// One path component with nothing a common file system refuses or treats specially.
function assertSafe(name: string): void {
  expect(name).not.toMatch(/[/\\\p{Cc}\p{Cf}<>:"|?*]/u);
  expect(name).not.toMatch(/^[.\s]|[.\s]$/);
  expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(SAFE_NAME_MAX_BYTES);
  expect(name.length).toBeGreaterThan(0);
}

describe('safeFileName', () => {
  it('keeps only the last segment of a path that climbs out', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\Windows\\win.ini')).toBe('win.ini');
  });

  it('makes an absolute path relative', () => {
    expect(safeFileName('/abs')).toBe('abs');
    expect(safeFileName('C:\\abs.txt')).toBe('abs.txt');
  });

  it('replaces NUL and other control characters', () => {
    expect(safeFileName('a\u0000b')).toBe('a_b');
    expect(safeFileName('line\nbreak\r.txt')).toBe('line_break_.txt');
  });

  it('replaces a bidi override that would disguise the extension', () => {
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
  });

  it('prefixes Windows device names, with or without extension', () => {
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('nul.tar.gz')).toBe('_nul.tar.gz');
    expect(safeFileName('lpt1')).toBe('_lpt1');
    expect(safeFileName('console.log')).toBe('console.log');
  });

  it('names nothing, dots and separators alone "file"', () => {
    for (const name of ['', '.', '..', '...', '/', '../', ' . ', '\u0000']) {
      expect(safeFileName(name)).toBe('file');
    }
  });

  it('shortens a very long name to the byte limit and keeps its extension', () => {
    const safe = safeFileName(`${'é'.repeat(500)}.pdf`);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(SAFE_NAME_MAX_BYTES);
    expect(safe).toMatch(/^é+\.pdf$/);
  });

  it('gives a safe component for any string at all', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) =>
        assertSafe(safeFileName(s)),
      ),
    );
  });
});

describe('uniqueSafeFileNames', () => {
  it('makes names that collide, also by case, unique', () => {
    const names = uniqueSafeFileNames([
      'report.pdf',
      'REPORT.pdf',
      'a/report.pdf',
      'passwd',
      '../passwd',
    ]);
    expect(names).toEqual(['report.pdf', 'REPORT-2.pdf', 'report-3.pdf', 'passwd', 'passwd-2']);
  });

  it('keeps suffixed long names within the byte limit and unique', () => {
    const long = `${'y'.repeat(300)}.bin`;
    const names = uniqueSafeFileNames([long, long, long]);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    for (const name of names) assertSafe(name);
  });
});
