import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { ObservableKind } from '../../src/domain/types.ts';
import {
  canonicalObservable,
  extractObservables,
  type ObservableInput,
} from '../../src/intake/observables.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

function found(text: string, kind: ObservableKind): unknown[] {
  return extractObservables(text)
    .filter((input) => input.kind === kind)
    .map((input) => input.value);
}

describe('extractObservables', () => {
  it('finds URLs without the sentence punctuation around them', () => {
    const text = 'See https://Example.com/a_(b). Also (http://x.example/y), and <ftp://f.example>';
    expect(found(text, 'url')).toEqual([
      'https://example.com/a_(b)',
      'http://x.example/y',
      'ftp://f.example/',
    ]);
  });

  it('does not report the host of a URL or an address again as a domain', () => {
    const text = 'Write to Security@Example.org or visit https://www.example.org/report';
    expect(extractObservables(text)).toEqual([
      { kind: 'email', value: 'Security@example.org' },
      { kind: 'url', value: 'https://www.example.org/report' },
    ]);
  });

  it('finds CVE ids, also inside a URL, each once', () => {
    const text =
      'Fixes cve-2024-3094; see https://www.cve.org/CVERecord?id=CVE-2024-3094 and CVE-2021-44228.';
    expect(found(text, 'cve')).toEqual(['CVE-2024-3094', 'CVE-2021-44228']);
  });

  it('finds IPv4 and IPv6 addresses and reads an address with a prefix as a block', () => {
    const text = 'from 192.0.2.10, to 2001:DB8::1 via fe80::1%eth0; block 198.51.100.7/24.';
    expect(found(text, 'ip')).toEqual(['192.0.2.10', '2001:db8::1', 'fe80::1']);
    expect(found(text, 'cidr')).toEqual(['198.51.100.0/24']);
  });

  it('does not take clock times, MAC addresses, C++ scopes or long versions for addresses', () => {
    const text = 'at 12:34:56 from aa:bb:cc:dd:ee:ff in std::vector, :: only, version 1.2.3.4.5';
    expect(found(text, 'ip')).toEqual([]);
  });

  it('finds hashes by digest length, one case, digits and letters', () => {
    const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
    const sha256 = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
    const text = `md5 ${md5}, sha256 ${sha256}, id ${'1'.repeat(32)}, b64 ${'aB3'.repeat(16)}`;
    expect(found(text, 'hash')).toEqual([md5, sha256.toLowerCase()]);
  });

  it('finds bare domain names under a known TLD', () => {
    const text = 'Seen on evil.example.com, lists.openwall.com, www.example.in and malware.ru.';
    expect(found(text, 'domain')).toEqual([
      'evil.example.com',
      'lists.openwall.com',
      'www.example.in',
      'malware.ru',
    ]);
  });

  it('does not take file names, code or joined sentences for domains', () => {
    const text =
      'Read README.md and file.txt, edit config.h.in, run install.sh, call console.log(x), ' +
      'open /usr/lib/libfoo.so.1 or C:\\tools\\evil.com now. It failed.It worked, v1.2 too.';
    expect(found(text, 'domain')).toEqual([]);
  });

  it('keeps the Unicode spelling of a name out of the value and finds it by its A-label', () => {
    expect(found('Phishing from bücher.example.com today', 'domain')).toEqual([
      'xn--bcher-kva.example.com',
    ]);
  });
});

describe('extractObservables under random input', () => {
  it('never throws and returns only values that are already canonical', () => {
    const fragments = fc.constantFrom(
      'http://',
      'https://Ex.com/',
      '@',
      '.com',
      '::',
      ':',
      '1.2.3.4',
      '/24',
      'CVE-2024-',
      'd41d8cd98f00b204e9800998ecf8427e',
      ' ',
      '.',
      'xn--',
      'ß',
      '(',
      ')',
    );
    const text = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.array(fc.oneof(fragments, fc.string()), { maxLength: 30 }).map((parts) => parts.join('')),
    );

    fc.assert(
      fc.property(text, (input) => {
        for (const observable of extractObservables(input)) {
          expect(canonicalObservable(observable.kind, observable.value)?.value).toBe(
            observable.value,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds an address standing between words', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.lorem(), fc.lorem(), (ip, before, after) => {
        const inputs: ObservableInput[] = extractObservables(`${before} ${ip} ${after}`);
        expect(inputs).toContainEqual({ kind: 'ip', value: canonicalObservable('ip', ip)?.value });
      }),
    );
  });

  it('stays fast on long runs of dots, colons and hex digits', () => {
    const started = performance.now();
    for (const text of ['a.'.repeat(100_000), '1:'.repeat(100_000), 'f'.repeat(200_000)]) {
      extractObservables(text);
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

const EMAILS = join(PUBLIC_DATA, 'oss-security-emails');

describe.skipIf(!hasPublicData)('extractObservables on the real oss-security advisories', () => {
  const files = hasPublicData ? readdirSync(EMAILS).filter((name) => name.endsWith('.eml')) : [];

  it.each(files)('%s: finds every CVE id the advisory names', (name) => {
    const text = readFileSync(join(EMAILS, name), 'utf8');
    const named = new Set(
      [...text.matchAll(/\bCVE-\d{4}-\d{4,}\b/gi)].map((m) => m[0].toUpperCase()),
    );

    expect(named.size).toBeGreaterThan(0);
    expect(new Set(found(text, 'cve'))).toEqual(named);
  });
});
