/**
 * The regulator report: the JSON states what is stored, the PDF parses back and carries the
 * same record, names outside the PDF font's character set neither crash it nor vanish, and
 * the CLI writes both.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, desc } from 'drizzle-orm';
import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream } from 'pdf-lib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { listClocks } from '../../src/investigations/clocks.ts';
import { rateInvestigation } from '../../src/investigations/workflow.ts';
import { createFollowUp } from '../../src/notify/phases.ts';
import {
  buildRegulatorReport,
  obligationOutcome,
  type RegulatorReport,
} from '../../src/notify/report.ts';
import { renderReportPdf } from '../../src/notify/report-pdf.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { auditLog, notices, outbox } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  noticeOf,
  responder,
} from './declared-investigation.ts';

/** The text drawn on each page, decoded from the content streams (WinAnsi hex strings). */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const lines: string[] = [];
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    const streams =
      contents instanceof PDFArray
        ? contents.asArray().map((ref) => doc.context.lookup(ref))
        : [contents];
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      const raw = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
      for (const m of raw.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) {
        lines.push(Buffer.from(m[1] ?? '', 'hex').toString('latin1'));
      }
    }
  }
  return lines.join('\n');
}

const RATING = {
  functionalImpact: 'low',
  informationImpact: ['privacy'],
  recoverability: 'supplemented',
  customerDataRisk: 'confirmed',
  reason: 'customer data read',
};

describeEachBackend('regulator report', (backend) => {
  let store: Store;
  let id: string;
  let report: RegulatorReport;

  beforeEach(async () => {
    store = await backend.open();
    id = await declaredInvestigation(store.db, {
      acme: { name: 'ООО Ромашка' },
      globex: { name: '株式会社テスト 🚀' },
    });
    await rateInvestigation(store.db, responder, id, RATING);
    const initial = await noticeOf(store.db, id, 'acme', 'tenant');
    await approveAndDeliver(store.db, initial.id);
    await createFollowUp(store.db, responder, initial.id, { what: 'more rows found' });
    report = await buildRegulatorReport(store.db, id, new Date('2026-12-01T00:00:00Z'));
  });
  afterEach(async () => {
    await store.close();
  });

  it('lists every notice phase with the hash stored for it', async () => {
    const rows = await store.db
      .select()
      .from(notices)
      .orderBy(asc(notices.tenantId), asc(notices.audience), asc(notices.phase));

    expect(report.notices.map((n) => [n.id, n.phase, n.followsNoticeId, n.bodySha256])).toEqual(
      rows.map((n) => [n.id, n.phase, n.followsNoticeId, n.bodySha256]),
    );
  });

  it('gives the delivery status of each recipient as stored in the outbox', async () => {
    const rows = await store.db.select().from(outbox);

    const delivered = report.notices.flatMap((n) => n.deliveries);
    expect(delivered.map((d) => [d.recipientEmail, d.status, d.messageId]).sort()).toEqual(
      rows.map((o) => [o.recipientEmail, o.status, o.messageId]).sort(),
    );
  });

  it('gives each obligation its stored due moment and whether it is met', async () => {
    const clocks = await listClocks(store.db, id);

    expect(report.obligations.map((o) => [o.id, o.due]).sort()).toEqual(
      clocks.map((c) => [c.id, c.due]).sort(),
    );
    // Only acme's notice was delivered (after its due moment, as the fixture's awareness lies
    // in the past); every other obligation is still open on the report's date.
    const outcome = (c: (typeof clocks)[number]) =>
      c.regime === 'gdpr-33-2' && c.tenantId === 'acme' ? 'met_late' : 'open';
    expect(report.obligations.map((o) => [o.id, o.outcome]).sort()).toEqual(
      clocks.map((c) => [c.id, outcome(c)]).sort(),
    );
  });

  it('shows obligations past their due moment as late', async () => {
    const later = await buildRegulatorReport(store.db, id, new Date('2027-01-01T00:00:00Z'));

    const open = later.obligations.filter((o) => o.outcome !== 'met_late');
    expect(new Set(open.map((o) => o.outcome))).toEqual(new Set(['late']));
  });

  it('ends with the head of the audit chain, verified', async () => {
    const [head] = await store.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1);

    expect(report.audit).toMatchObject({
      verified: true,
      head: { seq: head?.seq, hash: head?.hash },
    });
  });

  it('states the declaration: grounds, evidence and the moment of awareness', () => {
    expect(report.declaration).toMatchObject({
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by the stolen role on the buckets',
      awareAt: '2026-11-30T10:00:00.000Z',
    });
  });

  it('keeps the rating history and the scoping per tenant', () => {
    expect(report.ratings).toHaveLength(1);
    expect(report.scoping.tenants.map((t) => t.tenantId)).toEqual(['acme', 'globex']);
  });

  it('keeps non-Latin tenant names exact in the JSON', () => {
    expect(report.notices.map((n) => n.tenantName)).toContain('株式会社テスト 🚀');
  });

  it('renders a PDF that parses back and names the investigation', async () => {
    const bytes = await renderReportPdf(report);
    const doc = await PDFDocument.load(bytes);

    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(doc.getTitle()).toBe('Regulator report INV-1');
    expect(await pdfText(bytes)).toContain('Regulator report INV-1');
  });

  it('writes Cyrillic, Japanese and emoji as code points and says how many', async () => {
    const text = await pdfText(await renderReportPdf(report));

    expect(text).toContain('[U+041E][U+041E][U+041E] [U+0420]'); // ООО Р…
    expect(text).toContain('[U+682A]'); // 株
    expect(text).toMatch(/[1-9]\d* characters outside the Windows-1252 set/);
  });

  it('puts each notice hash into the PDF', async () => {
    const text = await pdfText(await renderReportPdf(report));

    for (const n of report.notices) expect(text).toContain(n.bodySha256);
  });

  it('refuses an unknown investigation', async () => {
    await expect(buildRegulatorReport(store.db, 'nope')).rejects.toMatchObject({
      code: 'BD_NOT_FOUND',
    });
  });
});

describe('obligation outcome', () => {
  const now = new Date('2026-12-02T00:00:00Z');
  const base = { status: 'required', due: '2026-12-01T10:00:00Z', metAt: null, lateSince: null };

  it('is met late when met after the due moment', () => {
    expect(obligationOutcome({ ...base, metAt: '2026-12-01T10:00:01Z' }, now)).toBe('met_late');
  });

  it('is met on time when met at the due moment itself', () => {
    expect(obligationOutcome({ ...base, metAt: '2026-12-01T10:00:00Z' }, now)).toBe('met_on_time');
  });

  it('stays late once seen late, even when a corrected due moment lies ahead', () => {
    const corrected = { ...base, due: '2026-12-05T00:00:00Z', lateSince: '2026-12-01T10:00:01Z' };

    expect(obligationOutcome(corrected, now)).toBe('late');
  });

  it('is met late when seen late before a corrected due moment moved past the filing', () => {
    // The sweep saw it late at 20:00Z; awareness was corrected and the filing came at 20:00:30.
    const corrected = {
      ...base,
      due: '2026-12-01T21:00:00Z',
      lateSince: '2026-12-01T20:00:00Z',
      metAt: '2026-12-01T20:00:30Z',
    };

    expect(obligationOutcome(corrected, now)).toBe('met_late');
  });

  it('has no deadline for a duty without undue delay', () => {
    expect(obligationOutcome({ ...base, due: null }, now)).toBe('no_deadline');
  });

  it('is not required when so decided', () => {
    expect(obligationOutcome({ ...base, status: 'not_required' }, now)).toBe('not_required');
  });
});

describe('breachdesk report (CLI)', () => {
  let dir: string;
  const savedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    // The command opens the configured store; here that is the PGlite folder below.
    delete process.env.DATABASE_URL;
    dir = await mkdtemp(join(tmpdir(), 'bd-report-cli-'));
    const store = await openStore({ dataDir: dir });
    await declaredInvestigation(store.db);
    await store.close();
  });
  afterAll(async () => {
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the PDF report to --out', async () => {
    const out = join(dir, 'INV-1.pdf');

    const code = await main([
      'node',
      'breachdesk',
      '--data-dir',
      dir,
      'report',
      'INV-1',
      '--format',
      'pdf',
      '--out',
      out,
    ]);

    expect(code).toBe(0);
    expect((await PDFDocument.load(await readFile(out))).getTitle()).toBe('Regulator report INV-1');
  });

  it('writes the JSON report to --out', async () => {
    const out = join(dir, 'INV-1.json');

    await main(['node', 'breachdesk', '--data-dir', dir, 'report', 'INV-1', '--out', out]);

    const json = JSON.parse(await readFile(out, 'utf8'));
    expect(json.investigation.ref).toBe('INV-1');
  });

  it('refuses a PDF without --out', async () => {
    const code = await main([
      'node',
      'breachdesk',
      '--data-dir',
      dir,
      'report',
      'INV-1',
      '--format',
      'pdf',
    ]);

    expect(code).toBe(2);
  });
});
