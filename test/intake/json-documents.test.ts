import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  MAX_DOCUMENT_CHARS,
  jsonDocumentsFromBody,
  readJsonDocuments,
} from '../../src/intake/json-documents.ts';
import type { RecordItem } from '../../src/intake/records.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

function items(body: string): RecordItem[] {
  return [...jsonDocumentsFromBody(body)];
}

async function collect(source: AsyncIterable<RecordItem>): Promise<RecordItem[]> {
  const all: RecordItem[] = [];
  for await (const item of source) all.push(item);
  return all;
}

const PRETTY = ['{', '  "a": [1, {"b": "}"}],', '  "c": "quote \\" and {"', '}'].join('\n');

describe('jsonDocumentsFromBody', () => {
  it('reads NDJSON one record per line', () => {
    expect(items('{"n":1}\n\n{"n":2}\n')).toEqual([
      { line: 1, record: { n: 1 } },
      { line: 3, record: { n: 2 } },
    ]);
  });

  it('reads a pretty-printed document as one record, braces inside strings ignored', () => {
    expect(items(PRETTY)).toEqual([
      { line: 1, record: { a: [1, { b: '}' }], c: 'quote " and {' } },
    ]);
  });

  it('reads documents written one after another, on the line each starts', () => {
    expect(items(`${PRETTY}\n${PRETTY}{"x":1}`).map((item) => item.line)).toEqual([1, 5, 8]);
  });

  it('makes each element of a top-level array a record at its own line', () => {
    expect(items('[\n  {"n": 1},\n  {"n": 2}, 3\n]')).toEqual([
      { line: 2, record: { n: 1 } },
      { line: 3, record: { n: 2 } },
      { line: 3, record: 3 },
    ]);
  });

  it('reports a malformed document at its first line and keeps reading after it', () => {
    const [bad, good] = items('{\n  "a": 1,\n}\n{"ok": true}');

    expect(bad).toMatchObject({ line: 1, error: expect.stringContaining('(line 3)') as unknown });
    expect(good).toEqual({ line: 4, record: { ok: true } });
  });

  it('reports a document that never ends', () => {
    expect(items('{"a": [1, 2}\n')).toEqual([
      {
        line: 1,
        error:
          'the JSON document starting on line 1 is not complete at the end of the input ' +
          '(a closing }, ] or " is missing)',
      },
    ]);
  });

  it.each([
    ['[1,,2]', 'a , in the array has no element before it'],
    ['[1 2]', 'array elements must be separated by ,'],
    ['[1,]', 'the array ends with a , and no element after it'],
    ['{"a":1},{"b":2}', 'unexpected , between JSON documents'],
  ])('reports the misplaced punctuation in %s', (body, error) => {
    expect(items(body)).toContainEqual({ line: 1, error });
  });

  it('refuses a record over the size limit with BD_REQUEST_TOO_LARGE and reads on', () => {
    const huge = `{"pad": "${'x'.repeat(MAX_DOCUMENT_CHARS)}"\n}\n{"n": 1}`;

    expect(items(huge)).toEqual([
      expect.objectContaining({ line: 1, code: 'BD_REQUEST_TOO_LARGE' }),
      { line: 3, record: { n: 1 } },
    ]);
  });
});

describe('readJsonDocuments', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'breachdesk-json-documents-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a gzipped pretty-printed array from a file', async () => {
    const path = join(dir, 'findings.json.gz');
    await writeFile(path, gzipSync(JSON.stringify([{ n: 1 }, { n: 2 }], null, 2)));

    expect(await collect(readJsonDocuments(path))).toEqual([
      { line: 2, record: { n: 1 } },
      { line: 5, record: { n: 2 } },
    ]);
  });
});

describe.skipIf(!hasPublicData)('readJsonDocuments on ocsf-examples', () => {
  it('reports the trailing comma of the CloudTrail mapping at line 27', async () => {
    const path = `${PUBLIC_DATA}/ocsf-examples/aws-cloudtrail-generic.api_activity.ocsf.json`;

    const [only, ...rest] = await collect(readJsonDocuments(path));

    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      line: 1,
      error: expect.stringMatching(/\(line 27\)$/) as unknown,
    });
  });

  it('reads the four findings of the SecurityScorecard array', async () => {
    const path = `${PUBLIC_DATA}/ocsf-examples/ssc-malware-infection-detected.ocsf.json`;

    const found = await collect(readJsonDocuments(path));

    expect(found.map((item) => item.line)).toEqual([2, 3, 4, 5]);
  });
});

describe('a record cut short', () => {
  it('is rejected on its own line and the records after it still go through', () => {
    const body = [
      '{"@timestamp":"2024-05-02T10:00:00Z","event":{"kind":"alert"',
      '{"a":1}',
      '{"s":"open string',
      '{"b":2}',
      '{',
      '  "c": 3',
      '}',
    ].join('\n');
    const items = [...jsonDocumentsFromBody(body)];

    expect(items.map((i) => ('record' in i ? i.record : `error@${i.line}`))).toEqual([
      'error@1',
      { a: 1 },
      'error@3',
      { b: 2 },
      { c: 3 },
    ]);
  });
});
