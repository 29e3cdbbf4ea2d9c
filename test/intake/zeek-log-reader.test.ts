import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { RecordItem } from '../../src/intake/records.ts';
import { unescapeZeek, zeekRecordsFromBody } from '../../src/intake/zeek-log-reader.ts';
import { CONN_TSV, NOTICE_TSV, tsv } from '../support/zeek-tsv.ts';

function read(body: string): RecordItem[] {
  return [...zeekRecordsFromBody(body)];
}

describe('zeek log reader on TSV', () => {
  it('turns each row into the object Zeek would have written as JSON', () => {
    const [scan] = read(NOTICE_TSV);

    expect(scan).toEqual({
      line: 9,
      record: {
        _path: 'notice',
        ts: 1710052200.123456,
        note: 'Scan::Port_Scan',
        msg: '198.51.100.7 scanned at least 15 unique ports of host 10.0.0.5 in 0m3s',
        sub: 'local',
        src: '198.51.100.7',
        dst: '10.0.0.5',
        n: 15,
        peer_descr: 'worker-1',
        actions: ['Notice::ACTION_LOG', 'Notice::ACTION_EMAIL'],
        email_dest: [],
        suppress_for: 3600,
      },
    });
  });

  it('undoes \\xHH escapes, multi-byte UTF-8 included, and splits sets', () => {
    const [, cert] = read(NOTICE_TSV);

    expect(cert).toMatchObject({
      line: 10,
      record: {
        'id.orig_p': 51234,
        msg: 'certificate for caf\u00e9.example:\tself signed',
        email_dest: ['soc@example.org', 'noc@example.org'],
      },
    });
  });

  it('reads several header blocks and JSON lines after #close in one file', () => {
    const body = `${NOTICE_TSV}\n${CONN_TSV}\n#close\t2024\n{"note": "x", "ts": 1}`;

    const records = read(body).map((item) => ('record' in item ? item.record : item));

    expect(records).toHaveLength(4);
    expect(records[2]).toEqual({
      _path: 'conn',
      ts: 1710052300.5,
      uid: 'Cabc',
      'id.orig_h': '10.0.0.1',
      'id.resp_h': '10.0.0.2',
      proto: 'udp',
    });
    expect(records[3]).toEqual({ note: 'x', ts: 1 });
  });

  it('reads custom #unset_field and #empty_field markers', () => {
    const body = [
      String.raw`#separator \x7c`,
      '#unset_field|NONE',
      '#empty_field|EMPTY',
      '#fields|a|b|c',
      '#types|string|vector[count]|string',
      'NONE|EMPTY|EMPTY',
      'x|1,2|-',
    ].join('\n');

    expect(read(body).map((item) => ('record' in item ? item.record : item))).toEqual([
      { b: [], c: '' },
      { a: 'x', b: [1, 2], c: '-' },
    ]);
  });

  it('refuses a row whose value count differs from #fields, naming #fields', () => {
    const body = [String.raw`#separator \x09`, tsv('#fields', 'ts', 'note'), tsv('1', 'a', 'b')];

    expect(read(body.join('\n'))).toEqual([
      {
        line: 3,
        error: 'the row has 3 values but #fields on line 2 names 2 columns',
        code: 'BD_INTAKE_FIELD_INVALID',
        field: '#fields',
      },
    ]);
  });

  it('refuses a row before #fields, naming #fields', () => {
    expect(read(`#separator \\x09\n1\tb`)).toMatchObject([
      { line: 2, code: 'BD_INTAKE_FIELD_MISSING', field: '#fields' },
    ]);
  });

  it('refuses header lines without a #separator first, naming #separator', () => {
    expect(read(tsv('#fields', 'ts'))).toMatchObject([
      { line: 1, code: 'BD_INTAKE_FIELD_MISSING', field: '#separator' },
    ]);
  });
});

describe('zeek log reader on JSON lines', () => {
  it('reads each line as JSON and reports bad lines with the JSON.parse message', () => {
    expect(read('{"note":"a"}\n{bad')).toEqual([
      { line: 1, record: { note: 'a' } },
      { line: 2, error: expect.stringContaining('JSON') as unknown },
    ]);
  });
});

describe('unescapeZeek', () => {
  it('leaves text without escapes and stray backslashes as they are', () => {
    expect(unescapeZeek(String.raw`C:\temp\x`)).toBe(String.raw`C:\temp\x`);
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof unescapeZeek(text)).toBe('string');
        for (const item of zeekRecordsFromBody(text)) expect(item.line).toBeGreaterThan(0);
      }),
    );
  });
});
