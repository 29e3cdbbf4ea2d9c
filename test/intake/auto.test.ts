import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { BreachdeskError } from '../../src/domain/errors.ts';
import {
  DETECTABLE_FORMATS,
  SNIFF_BYTES,
  SNIFF_GZIP_BYTES,
  chosenFormat,
  detectFormat,
  sniffBody,
  sniffFile,
} from '../../src/intake/auto.ts';
import { parsePartialJson } from '../../src/intake/auto/partial-json.ts';
import { MAX_LINE_CHARS, readTextLines } from '../../src/intake/records.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

const T = '2024-03-10T06:30:00Z';

function formatOf(...lines: string[]): string | null {
  return detectFormat({ firstLines: lines }).format;
}

function json(record: unknown): string {
  return JSON.stringify(record);
}

describe('detectFormat on JSON records', () => {
  it.each([
    ['suricata', { timestamp: T, event_type: 'alert', src_ip: '192.0.2.1' }],
    ['suricata', { firewall_name: 'fw', event: { timestamp: T, event_type: 'alert' } }],
    ['zeek', { ts: 1588207244.74, uid: 'CpnezL3085IfcJzSAe', note: 'SSL::Invalid_Server_Cert' }],
    ['wazuh', { timestamp: T, rule: { level: 5, id: '5712' }, agent: { id: '001' } }],
    ['ecs', { '@timestamp': T, event: { kind: 'alert' }, message: 'x' }],
    ['ecs', { '@timestamp': T, 'ecs.version': '8.11.0' }],
    ['ocsf', { class_uid: 2004, time: 1, metadata: { version: '1.3.0' } }],
    [
      'guardduty',
      { schemaVersion: '2.0', type: 'Recon:EC2/Portscan', service: { serviceName: 'guardduty' } },
    ],
    ['guardduty', { 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: {} }],
    ['asff', { SchemaVersion: '2018-10-08', ProductArn: 'arn:aws:securityhub:::product/x/y' }],
    ['asff', { 'detail-type': 'Security Hub Findings - Imported', detail: { findings: [] } }],
    ['msgraph', { '@odata.type': '#microsoft.graph.security.alert', id: 'a' }],
    ['msgraph', { providerAlertId: 'p', evidence: [] }],
    ['crowdstrike', { metadata: { eventType: 'DetectionSummaryEvent' }, event: {} }],
    ['crowdstrike', { event: { DetectId: 'ldt:1:2' } }],
    ['generic', { time: T, title: 'Suspicious login' }],
  ])('recognises %s from its marks', (format, record) => {
    expect(formatOf(json(record))).toBe(format);
  });

  it('says which record and which fields decided, and how many records agreed', () => {
    const line = json({ timestamp: T, event_type: 'http' });
    expect(detectFormat({ firstLines: ['', line, line] })).toEqual({
      format: 'suricata',
      reason: 'Suricata EVE: line 2 has event_type and timestamp (2 of 2 records checked)',
      layout: 'json-lines',
    });
  });

  it('prefers a vendor format over generic when a record has both marks', () => {
    expect(formatOf(json({ timestamp: T, event_type: 'alert', title: 'x', time: T }))).toBe(
      'suricata',
    );
  });

  it('tolerates records without marks among agreeing ones', () => {
    const notice = json({ ts: 1, uid: 'C1', note: 'Scan::Port_Scan' });
    expect(formatOf(json({ ts: 1, id: 'F1' }), notice, notice)).toBe('zeek');
  });

  it('refuses a record that carries the marks of two formats, naming both', () => {
    const detection = detectFormat({
      firstLines: [json({ timestamp: T, event_type: 'alert', ts: 1, uid: 'C1' })],
    });
    expect(detection.format).toBeNull();
    expect(detection.reason).toMatch(/more than one format: suricata \(line 1.*zeek \(line 1/);
  });

  it('refuses a file whose records are of different formats', () => {
    const suricata = json({ timestamp: T, event_type: 'alert' });
    const wazuh = json({ rule: { level: 3 }, agent: {} });
    expect(formatOf(suricata, wazuh)).toBeNull();
  });

  it('names the keys it saw when no format matches', () => {
    const detection = detectFormat({
      firstLines: [json({ eventVersion: '1.08', eventName: 'x' })],
    });
    expect(detection).toEqual({
      format: null,
      reason:
        "no format's marks in the records checked; line 1 has the keys eventVersion, eventName",
    });
  });

  it('says how the JSON is laid out: one object per line, or documents', () => {
    const record = { time: T, title: 'x' };
    const layoutOf = (...lines: string[]) => {
      const detection = detectFormat({ firstLines: lines });
      return detection.format === null ? null : detection.layout;
    };

    expect(layoutOf(json(record), json(record))).toBe('json-lines');
    expect(layoutOf(json([record, record]))).toBe('json-documents');
    expect(layoutOf(...JSON.stringify(record, null, 2).split('\n'))).toBe('json-documents');
    // A first line cut at the window: alone, or followed by whole lines, it is JSON lines.
    const cutLine = json({ ...record, payload: 'x'.repeat(100) }).slice(0, 60);
    expect(layoutOf(cutLine)).toBe('json-lines');
    expect(layoutOf(cutLine, json(record), json(record))).toBe('json-lines');
    expect(layoutOf('CEF:0|Vendor|Product|1.0|100|Port scan|5|src=192.0.2.1')).toBeUndefined();
  });

  it('says an object with no keys or an array with no elements is empty', () => {
    expect(detectFormat({ firstLines: ['{}'] }).reason).toBe('line 1 is an object with no keys');
    expect(detectFormat({ firstLines: ['', '[ ]'] }).reason).toBe('the array on line 2 is empty');
  });

  it('reads a JSON array and a pretty-printed document cut short', () => {
    expect(
      formatOf(
        json([
          { time: T, title: 'a' },
          { time: T, title: 'b' },
        ]),
      ),
    ).toBe('generic');

    const pretty = JSON.stringify(
      { class_uid: 2004, metadata: { version: '1.1.0' }, evidences: [{ a: 'x'.repeat(500) }] },
      null,
      2,
    );
    expect(formatOf(...pretty.slice(0, 120).split('\n'))).toBe('ocsf');
  });

  it('reports where a broken document stops being JSON', () => {
    const detection = detectFormat({ firstLines: ['{', '  "a": 1,', '}'] });
    expect(detection.format).toBeNull();
    expect(detection.reason).toContain('not valid: expected a quoted key at line 3, column 1');
  });

  it('ignores a byte-order mark and leading blank lines', () => {
    expect(formatOf('\uFEFF', '', json({ time: T, title: 'x' }))).toBe('generic');
    expect(formatOf('', '  ')).toBeNull();
  });
});

describe('detectFormat on text', () => {
  it('recognises CEF bare, after an RFC 3164 header and after an RFC 5424 header', () => {
    const cef = 'CEF:0|Vendor|Product|1.0|100|Port scan|5|src=192.0.2.1';
    expect(formatOf(cef)).toBe('cef');
    expect(formatOf(`<134>Mar 10 06:30:00 fw01 ${cef}`)).toBe('cef');
    expect(formatOf(`<134>1 ${T} fw01 app - - - ${cef}`)).toBe('cef');
  });

  it('recognises an IDS fast alert line', () => {
    const line =
      '03/10/2024-06:30:00.123456  [**] [1:2010935:3] ET SCAN Suspicious inbound [**] ' +
      '[Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 192.0.2.1:4711 -> 10.0.0.1:22';
    expect(formatOf(line)).toBe('fast');
  });

  it('recognises a Zeek TSV log by its header', () => {
    expect(formatOf('#separator \\x09', '#set_separator\t,', '#path\tnotice')).toBe('zeek');
  });

  it('recognises mail by an mbox line or by mail-only header fields, folded lines included', () => {
    expect(formatOf('From alice@example.org Fri May 08 09:24:01 2026', 'Subject: x')).toBe('email');
    expect(formatOf('X-Note: a', '\tcontinued', 'Message-ID: <1@example.org>', '', 'body')).toBe(
      'email',
    );
    expect(formatOf('From: Alice <alice@example.org>', 'Subject: hello', '', 'body')).toBe('email');
  });

  it('does not take YAML-like or CSV text for mail', () => {
    expect(formatOf('title: x', 'time: y', 'subject: z')).toBeNull();
    expect(formatOf('account_id,action,bytes', '1,ACCEPT,3')).toBeNull();
  });

  it('says how the unknown text starts', () => {
    expect(detectFormat({ firstLines: ['account_id,action'] }).reason).toContain(
      'it starts "account_id,action"',
    );
  });
});

describe('detectFormat under random input', () => {
  it('never throws and only ever names a known format', () => {
    const line = fc.oneof(
      fc.string(),
      fc.json(),
      fc.constantFrom('{', '[', '}', 'CEF:0|', 'From: a@b', '#separator ', '[**] [1:2:3]'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const { format, reason } = detectFormat({ firstLines: lines });
        expect(format === null || DETECTABLE_FORMATS.includes(format)).toBe(true);
        expect(reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parsePartialJson', () => {
  it('keeps the containers read before the text ran out', () => {
    expect(parsePartialJson('{"a":1,"b":{"c":"x","d":[1,2')).toEqual({
      value: { a: 1, b: { c: 'x', d: [1] } },
      complete: false,
      error: null,
    });
  });

  it('keeps a __proto__ key as an own key', () => {
    const { value } = parsePartialJson('{"__proto__":{"polluted":true}}');
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads whole documents exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 1);
        const { value: read, complete } = parsePartialJson(`${text} `);
        expect(complete).toBe(true);
        expect(read).toEqual(JSON.parse(text));
      }),
    );
  });
});

describe('chosenFormat', () => {
  it('throws BD_INTAKE_FORMAT_UNDETECTED naming what was seen and the formats to choose', () => {
    let error: unknown;
    try {
      chosenFormat({ format: null, reason: 'line 1 has the keys a, b' }, 'alerts.json');
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(BreachdeskError);
    expect(error).toMatchObject({ code: 'BD_INTAKE_FORMAT_UNDETECTED', status: 400 });
    expect((error as Error).message).toBe(
      'cannot tell the format of alerts.json: line 1 has the keys a, b; name it with --format ' +
        `(or in the intake URL): ${DETECTABLE_FORMATS.join(', ')}`,
    );
  });
});

describe('sniffFile and sniffBody', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bd-auto-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const eveLine = (i: number): string =>
    json({ timestamp: T, flow_id: i, event_type: 'alert', pad: 'x'.repeat(200) });

  it('detects a gzipped file bigger than the part it reads', async () => {
    const path = join(dir, 'eve.json.gz');
    const lines = Array.from({ length: 5000 }, (_, i) => eveLine(i)).join('\n');
    writeFileSync(path, gzipSync(lines, { level: 0 }));

    await expect(sniffFile(path)).resolves.toMatchObject({ format: 'suricata' });
  });

  it('detects a gzipped file whose first record outgrows SNIFF_BYTES compressed', async () => {
    // Random text barely compresses: this record alone is over 300 KB of gzip.
    const record = { time: T, title: 'big', blob: randomBytes(240_000).toString('base64') };
    const path = join(dir, 'big-first.ndjson.gz');
    writeFileSync(path, gzipSync(`${json(record)}\n${json({ time: T, title: 'small' })}\n`));

    await expect(sniffFile(path)).resolves.toMatchObject({ format: 'generic' });
  });

  it('detects a one-line document far longer than the part it reads', async () => {
    const path = join(dir, 'big.json');
    const records = Array.from({ length: 2000 }, (_, i) => ({ time: T, title: `alert ${i}` }));
    writeFileSync(path, json(records));

    await expect(sniffFile(path)).resolves.toMatchObject({ format: 'generic' });
  });

  it('detects a gzipped one-line document whose line outgrows SNIFF_GZIP_BYTES', async () => {
    // Random notes barely compress: the one line is some 2 MB of gzip, cut at the window.
    const records = Array.from({ length: 2000 }, (_, i) => ({
      time: T,
      title: `alert ${i}`,
      note: randomBytes(1000).toString('base64'),
    }));
    const path = join(dir, 'big-line.json.gz');
    writeFileSync(path, gzipSync(json(records)));
    expect(gzipSync(json(records)).length).toBeGreaterThan(SNIFF_GZIP_BYTES);

    await expect(sniffFile(path)).resolves.toMatchObject({ format: 'generic' });
  });

  it('detects a UTF-16 one-line document whose window ends inside a surrogate pair', async () => {
    // The mark, the start of the document, then pairs: the window's last two bytes are the
    // first half of one when the prefix has the right length, so a space is added if needed.
    const pairs = '\u{1F511}'.repeat(SNIFF_BYTES);
    const prefixOf = (pad: string) => `[${pad}{"time":"${T}","title":"key","note":"`;
    const fits = (prefix: string) => (SNIFF_BYTES - 2 - 2 * prefix.length) % 4 === 2;
    const prefix = fits(prefixOf('')) ? prefixOf('') : prefixOf(' ');
    const bytes = Buffer.from(`\ufeff${prefix}${pairs}"}]`, 'utf16le');
    expect(bytes.readUInt16LE(SNIFF_BYTES - 2)).toBe(0xd83d);
    const path = join(dir, 'utf16-pairs.json');
    writeFileSync(path, bytes);

    await expect(sniffFile(path)).resolves.toMatchObject({ format: 'generic' });
  });

  it('detects a one-line document cut at the window after blank lines', async () => {
    const records = Array.from({ length: 4000 }, (_, i) => ({ time: T, title: `alert ${i}` }));
    const plain = join(dir, 'blank-first.json');
    writeFileSync(plain, `\r\n\n${json(records)}`);
    const zipped = join(dir, 'blank-first.json.gz');
    const noted = records.map((r) => ({ ...r, note: randomBytes(600).toString('base64') }));
    writeFileSync(zipped, gzipSync(`\n${json(noted)}`));

    await expect(sniffFile(plain)).resolves.toMatchObject({ format: 'generic' });
    await expect(sniffFile(zipped)).resolves.toMatchObject({ format: 'generic' });
  });

  it('says that the first line is over the line limit, not that there is none', async () => {
    const record = { time: T, title: 'huge', description: 'a'.repeat(MAX_LINE_CHARS + 2 ** 20) };
    const path = join(dir, 'over-limit.json.gz');
    writeFileSync(path, gzipSync(`\n${json(record)}\n`));

    const sniffed = sniffFile(path);

    await expect(sniffed).rejects.toMatchObject({ code: 'BD_INTAKE_FORMAT_UNDETECTED' });
    await expect(sniffed).rejects.toThrow('line 2 is longer than 32 MiB, the most one line may');
    await expect(sniffed).rejects.toThrow("jq -c '.[]'");
  });

  it('refuses a file named .gz that is not gzip, as the import does', async () => {
    const path = join(dir, 'plain.ndjson.gz');
    writeFileSync(path, `${json({ time: T, title: 'plain' })}\n`);

    const importing = async () => {
      for await (const line of readTextLines(path)) expect(line).toBeUndefined();
    };
    for (const read of [() => sniffFile(path), importing]) {
      const refused = read();
      await expect(refused).rejects.toMatchObject({ code: 'BD_FILE_UNREADABLE' });
      await expect(refused).rejects.toThrow('named .gz but is not gzip (it does not begin with');
    }
  });

  it('refuses what is not a regular file: a pipe would be half read by the detection', async () => {
    const fifo = join(dir, 'alerts.fifo');
    execFileSync('mkfifo', [fifo]);

    await expect(sniffFile(fifo)).rejects.toMatchObject({ code: 'BD_FILE_UNREADABLE' });
    await expect(sniffFile(dir)).rejects.toThrow('is not a regular file');
  });

  it('looks no further than the first SNIFF_GZIP_BYTES bytes of a gzip file', async () => {
    // The marks of the format come after a blob that fills the window.
    const record = {
      blob: randomBytes(SNIFF_GZIP_BYTES).toString('base64'),
      time: T,
      title: 'huge',
    };
    const path = join(dir, 'huge-first.ndjson.gz');
    writeFileSync(path, gzipSync(`${json(record)}\n${json({ time: T, title: 'small' })}\n`));

    await expect(sniffFile(path)).rejects.toMatchObject({ code: 'BD_INTAKE_FORMAT_UNDETECTED' });
  });

  it('looks no further than the first SNIFF_BYTES bytes', async () => {
    const path = join(dir, 'late.json');
    writeFileSync(path, '\n'.repeat(SNIFF_BYTES + 10) + eveLine(1));

    await expect(sniffFile(path)).rejects.toMatchObject({ code: 'BD_INTAKE_FORMAT_UNDETECTED' });
  });

  it('detects the format of an HTTP body', () => {
    expect(sniffBody(`${eveLine(1)}\r\n${eveLine(2)}\r\n`).format).toBe('suricata');
  });
});

// Expected formats worked out by reading each file, not from the detector under test.
const REAL_SAMPLES: Array<[string, string | null]> = [
  ['suricata-eve-docker-pr/eve.json', 'suricata'],
  ['wazuh-alerts/alerts.json', 'wazuh'],
  ['otrf-apt29-zeek/SCRANTON_notice.log', 'zeek'],
  ['otrf-apt29-zeek/NASHUA_notice.log', 'zeek'],
  ['otrf-apt29-zeek/SCRANTON_conn.log', 'zeek'],
  ['ocsf-examples/okta-threat-detected.detection_finding.ocsf.json', 'ocsf'],
  ['ocsf-examples/prowler.detection_finding.ocsf.json', 'ocsf'],
  ['ocsf-examples/sechub-guardduty.detection_finding.ocsf.json', 'ocsf'],
  ['ocsf-examples/falco.ocsf.json', 'ocsf'],
  ['ocsf-examples/ssc-malware-infection-detected.ocsf.json', 'ocsf'],
  ['ocsf-examples/sechub-guardduty.raw.json', 'asff'],
  ['ocsf-examples/sechub-inspector.raw.json', 'asff'],
  ['panther-analysis-test-logs/aws_securityhub_asff_findings.ndjson', 'asff'],
  ['panther-analysis-test-logs/aws_guardduty_findings.ndjson', 'guardduty'],
  ['panther-analysis-test-logs/msgraph_security_alert_v2.ndjson', 'msgraph'],
  ['panther-analysis-test-logs/crowdstrike_detection_summary.ndjson', 'crowdstrike'],
  ['oss-security-emails/01-dirty-frag-cve-assigned.eml', 'email'],
  ['oss-security-emails/02-fw-dsa-3775-1-tcpdump.eml', 'email'],
  ['oss-security-emails/oss-security-sample.mbox', 'email'],
  // Audit logs and raw vendor events no adapter takes: auto must refuse, not guess.
  ['ocsf-examples/aws-cloudtrail-generic.api_activity.ocsf.json', null],
  ['ocsf-examples/falco.raw.json', null],
  ['panther-analysis-test-logs/aws_cloudtrail_s3_events.ndjson', null],
  ['panther-analysis-test-logs/azure_monitor_activity.ndjson', null],
  ['otrf-aws-s3-honeybucket/AWS_S3_HoneyBucketLogs.csv', null],
  ['plaso-cloud-audit-logs/postgresql.log', null],
];

describe.skipIf(!hasPublicData)('sniffFile on the real public samples', () => {
  it.each(REAL_SAMPLES)('%s is detected as %s', async (file, expected) => {
    const sniffed = sniffFile(join(PUBLIC_DATA, file));

    if (expected === null) {
      await expect(sniffed).rejects.toMatchObject({ code: 'BD_INTAKE_FORMAT_UNDETECTED' });
    } else {
      await expect(sniffed).resolves.toMatchObject({ format: expected });
    }
  });
});
