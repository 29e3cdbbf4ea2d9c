/**
 * The regulator report as PDF (pdf-lib). The standard PDF fonts are the only ones available
 * without shipping a font file, and they cover only the Windows-1252 (WinAnsi) characters.
 * Names in Cyrillic, Japanese or emoji must neither crash the export nor vanish silently, so
 * every character the font cannot show is written as its code point, `[U+041C]`, and the
 * PDF says how many were replaced and that the JSON report carries the exact text.
 */
import { PDFDocument, type PDFFont, type PDFPage, StandardFonts } from 'pdf-lib';
import type { RegulatorReport } from './report.ts';

const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const MARGIN = 50;
const BODY_SIZE = 9;
const LINE = 12;
const FOOTER_SPACE = 30;

interface Style {
  bold?: boolean;
  size?: number;
  indent?: number;
}

/** A page-filling writer: wraps lines, starts pages, counts replaced characters. */
class Writer {
  private page: PDFPage;
  private y = 0;
  replaced = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
    private readonly charset: ReadonlySet<number>,
  ) {
    this.page = this.newPage();
  }

  heading(text: string): void {
    this.keepLines(4);
    this.space(LINE / 2);
    this.line(text, { bold: true, size: 12 });
    this.space(2);
  }

  field(label: string, value: unknown, indent = 0): void {
    this.line(`${label}: ${show(value)}`, { indent });
  }

  line(text: string, style: Style = {}): void {
    const font = style.bold ? this.bold : this.font;
    const size = style.size ?? BODY_SIZE;
    const indent = style.indent ?? 0;
    const width = PAGE.width - 2 * MARGIN - indent;

    for (const part of this.wrap(this.encodable(text), font, size, width)) {
      if (this.y < MARGIN + FOOTER_SPACE) this.page = this.newPage();
      this.page.drawText(part, { x: MARGIN + indent, y: this.y, size, font });
      this.y -= size + (LINE - BODY_SIZE);
    }
  }

  /** Starts a new page unless `n` more lines fit, so a heading is never left alone. */
  keepLines(n: number): void {
    if (this.y - n * LINE < MARGIN + FOOTER_SPACE) this.page = this.newPage();
  }

  space(points: number): void {
    this.y -= points;
  }

  /** Text the font can encode: unknown characters become [U+XXXX], controls a space. */
  private encodable(text: string): string {
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0x3f;
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += ' ';
      else if (this.charset.has(cp)) out += ch;
      else {
        out += `[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`;
        this.replaced += 1;
      }
    }
    return out;
  }

  private wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    let current = '';
    for (const word of text.split(' ')) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        current = candidate;
        continue;
      }
      if (current !== '') lines.push(current);
      current = word;
      // A word wider than the line (a hash, a long address) is cut where it must be.
      while (font.widthOfTextAtSize(current, size) > width) {
        let cut = current.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(current.slice(0, cut), size) > width) cut -= 1;
        lines.push(current.slice(0, cut));
        current = current.slice(cut);
      }
    }
    lines.push(current);
    return lines;
  }

  private newPage(): PDFPage {
    const page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - MARGIN;
    return page;
  }
}

/** Lays the report out as an A4 PDF; returns the file's bytes. */
export async function renderReportPdf(report: RegulatorReport): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const generated = new Date(report.generatedAt);
  const ref = report.investigation.ref;
  doc.setTitle(`Regulator report ${ref}`);
  doc.setSubject(`Breach notification record of investigation ${ref}`);
  doc.setCreator('Breachdesk');
  doc.setProducer('Breachdesk (pdf-lib)');
  doc.setCreationDate(generated);
  doc.setModificationDate(generated);

  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const w = new Writer(doc, font, bold, new Set(font.getCharacterSet()));

  writeReport(w, report);
  w.heading('About this document');
  w.line(
    `Generated ${report.generatedAt} from the Breachdesk records (format ${report.format}). ` +
      'All times are UTC, ISO 8601.',
  );
  w.line(
    `${w.replaced} characters outside the Windows-1252 set of the PDF standard font are shown ` +
      'as [U+XXXX] code points; the JSON report carries the exact text.',
  );

  footers(doc, font, ref, report.generatedAt);
  return doc.save();
}

function writeReport(w: Writer, r: RegulatorReport): void {
  const inv = r.investigation;
  w.line(`Regulator report ${inv.ref}`, { bold: true, size: 16 });
  w.line(inv.title, { size: 11 });
  if (inv.exercise) w.line('[EXERCISE] Red-team exercise: no real breach.', { bold: true });

  w.heading('Investigation');
  for (const [label, value] of Object.entries(inv)) w.field(label, value);

  w.heading('Classification and declaration');
  w.field('classification', r.classification.current);
  w.field('root cause', r.classification.rootCause);
  for (const c of r.classification.history) {
    w.line(`${c.at} ${c.actor}: ${show(c.previous)} -> ${show(c.classification)}`, { indent: 10 });
  }
  const d = r.declaration ?? {};
  for (const key of ['grounds', 'evidence', 'awareAt', 'declaredAt', 'declaredBy']) {
    w.field(key, d[key]);
  }

  w.heading('Rating history');
  if (r.ratings.length === 0) w.line('none');
  for (const x of r.ratings) {
    const rating = (x.rating ?? {}) as { severity?: string; priority?: string };
    w.line(
      `${x.at} ${x.actor}: severity ${show(rating.severity)}, priority ${show(rating.priority)}` +
        (x.reason ? ` (${x.reason})` : ''),
    );
  }

  w.heading('Stage history');
  for (const t of r.transitions) w.line(`${t.at} ${t.from} -> ${t.to} by ${t.actor}: ${t.reason}`);

  writeScoping(w, r);
  writeObligations(w, r);
  writeNotices(w, r);

  w.heading('Audit chain');
  w.field('entries', r.audit.entries);
  w.field('verified', r.audit.verified ? 'yes' : `NO, broken at entry ${show(r.audit.brokenAt)}`);
  w.field('head entry', r.audit.head?.seq);
  w.field('head hash', r.audit.head?.hash);
  w.field('head time', r.audit.head?.at);
  w.field('entries about this investigation', r.audit.investigationEntries);
}

function writeScoping(w: Writer, r: RegulatorReport): void {
  w.heading('Scoping');
  for (const run of r.scoping.runs) {
    w.line(`run ${run.id} at ${run.at} by ${run.actor}: ${run.format}, ${run.files} file(s)`);
  }
  if (r.scoping.tenants.length === 0) w.line('no tenant found affected');
  for (const t of r.scoping.tenants) {
    w.line(`${t.tenantName} (${t.tenantId})`, { bold: true });
    w.line(
      `${t.events} events, ${t.objects} objects, ${t.resources} resources, data subjects ` +
        `${show(t.subjects)}; access ${t.firstAccess} to ${t.lastAccess}; ` +
        `actions ${t.actions.join(', ')}`,
      { indent: 10 },
    );
  }
}

function writeObligations(w: Writer, r: RegulatorReport): void {
  w.heading('Obligations and clocks');
  if (r.obligations.length === 0) w.line('none');
  for (const c of r.obligations) {
    w.keepLines(3);
    w.line(
      `${c.regime} / ${c.filing}${c.tenantId ? ` for ${c.tenantId}` : ''}` +
        (c.recipient ? ` to ${c.recipient}` : ''),
      { bold: true },
    );
    w.line(
      `due ${show(c.due)}; ${c.outcome.replaceAll('_', ' ')} (status ${c.status}); ` +
        `met ${show(c.metAt)}; late since ${show(c.lateSince)}`,
      { indent: 10 },
    );
    w.line(`source: ${c.source}`, { indent: 10 });
    if (c.decision) w.line(`decision: ${JSON.stringify(c.decision)}`, { indent: 10 });
  }
}

function writeNotices(w: Writer, r: RegulatorReport): void {
  w.heading('Notices');
  if (r.notices.length === 0) w.line('none');
  for (const n of r.notices) {
    w.keepLines(5);
    w.line(`${n.tenantName} (${n.tenantId}): ${n.audience}, phase ${n.phase}`, { bold: true });
    if (n.followsNoticeId) w.field('follows notice', n.followsNoticeId, 10);
    w.field('notice', n.id, 10);
    w.line(
      `status ${n.status}, language ${n.language}, approved ${show(n.approvedAt)} ` +
        `by ${show(n.approvedBy)}`,
      { indent: 10 },
    );
    w.field('subject', n.subject, 10);
    w.field('body SHA-256', n.bodySha256, 10);
    for (const h of n.holds) {
      w.line(
        `hold (${h.ground}) requested by ${h.requestedBy}, legal ${show(h.legalApprover)}, ` +
          `executive ${show(h.executiveApprover)}, review ${show(h.reviewAt)}, released ` +
          `${show(h.releasedAt)}: ${h.reason}`,
        { indent: 10 },
      );
    }
    for (const d of n.deliveries) {
      w.line(
        `${d.recipientName} <${d.recipientEmail}> (${d.recipientKind}): ${d.status}, ` +
          `${d.attempts} attempt(s), sent ${show(d.sentAt)}` +
          (d.bouncedAt ? `, bounced ${d.bouncedAt}` : '') +
          (d.lastResponse ? `; ${d.lastResponse}` : ''),
        { indent: 20 },
      );
    }
  }
}

function footers(doc: PDFDocument, font: PDFFont, ref: string, generatedAt: string): void {
  const pages = doc.getPages();
  pages.forEach((page, i) => {
    page.drawText(
      `${ref} regulator report, generated ${generatedAt}, page ${i + 1} of ${pages.length}`,
      {
        x: MARGIN,
        y: MARGIN / 2,
        size: 7,
        font,
      },
    );
  });
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '-';
}
