/**
 * The distinguishing marks of the line-oriented formats: a Zeek TSV header, an IDS "fast"
 * alert line, a CEF line (bare or after a syslog header), and an e-mail message.
 */

/** Formats recognised from text lines. */
export type TextFormat = 'zeek' | 'fast' | 'cef' | 'email';

// Zeek's ASCII writer opens every log with `#separator \x09` (docs.zeek.org, "Logs").
const ZEEK_HEADER = /^#separator[ \t]/;

// Suricata and Snort fast.log: `[**] [gid:sid:rev] message [**]`.
const FAST_ALERT = /\[\*\*\]\s*\[\d+:\d+:\d+\]/;

// ArcSight CEF: `CEF:Version|Vendor|…`, alone or after a syslog header (RFC 3164 or RFC 5424),
// which never contains a pipe.
const CEF_LINE = /^(?:<\d{1,3}>)?(?:[^|{]{0,300}?\s)?CEF:\d+\|/;

// mbox "From_" separator: `From sender asctime-date`.
const MBOX_FROM = /^From \S+ +\S.*\d{1,2}:\d{2}/;

// RFC 5322 §2.2: a field name is printable ASCII except the colon; §2.2.3 folded lines start
// with whitespace.
const HEADER_FIELD = /^([!-9;-~]+):/;
const FOLDED = /^[ \t]/;

// Header fields only mail carries; `From:` counts when it holds an address.
const MAIL_FIELDS = new Set([
  'received',
  'message-id',
  'return-path',
  'delivered-to',
  'mime-version',
  'dkim-signature',
]);

/** The line format `line` carries the marks of, with what was seen, or null. */
export function lineMarkOf(line: string): { format: TextFormat; seen: string } | null {
  if (FAST_ALERT.test(line)) return { format: 'fast', seen: 'a "[**] [gid:sid:rev]" alert' };
  if (CEF_LINE.test(line)) return { format: 'cef', seen: 'a "CEF:" header' };
  return null;
}

/**
 * Marks only the start of a file can carry: a Zeek header or the start of an e-mail message
 * (an mbox separator, or a block of header fields with at least one mail-only field).
 */
export function headMarkOf(lines: readonly string[]): { format: TextFormat; seen: string } | null {
  const first = lines[0] ?? '';
  if (ZEEK_HEADER.test(first)) return { format: 'zeek', seen: 'a Zeek "#separator" header' };
  if (MBOX_FROM.test(first)) return { format: 'email', seen: 'an mbox "From " line' };

  const fields = headerFields(lines);
  const mail = fields.find((field) => MAIL_FIELDS.has(field.name.toLowerCase()));
  if (mail !== undefined) return { format: 'email', seen: `mail header fields (${mail.name}:)` };

  const from = fields.find((field) => /^from$/i.test(field.name) && field.value.includes('@'));
  if (from !== undefined && fields.length >= 2) {
    return { format: 'email', seen: 'mail header fields (From: with an address)' };
  }
  return null;
}

// The header block the lines start with, up to the first blank line; empty when the first
// line is not a header field or a later line is neither a field nor a fold. The last line of
// a sample may be cut short and is not held against the block.
function headerFields(lines: readonly string[]): Array<{ name: string; value: string }> {
  const fields: Array<{ name: string; value: string }> = [];

  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') break;

    const field = HEADER_FIELD.exec(line);
    if (field) fields.push({ name: field[1] ?? '', value: line.slice(field[0].length) });
    else if (index === 0) return [];
    else if (!FOLDED.test(line) && index < lines.length - 1) return [];
  }
  return fields;
}
