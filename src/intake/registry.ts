/**
 * The formats intake understands, by the name a sender or operator uses to pick one.
 */
import { fail } from '../domain/errors.ts';
import { asffAdapter } from './asff.ts';
import { cefAdapter, createCefAdapter } from './cef.ts';
import { crowdstrikeAdapter } from './crowdstrike.ts';
import { ecsAdapter } from './ecs.ts';
import { emailAdapter } from './email.ts';
import { fastAdapter } from './fast.ts';
import { genericAdapter } from './generic.ts';
import { guarddutyAdapter } from './guardduty.ts';
import { msgraphAdapter } from './msgraph.ts';
import { ocsfAdapter } from './ocsf.ts';
import type { IntakeAdapter } from './outcome.ts';
import { ndjsonReader, type RecordItem } from './records.ts';
import { suricataAdapter } from './suricata.ts';
import { wazuhAdapter } from './wazuh.ts';
import { zeekAdapter } from './zeek.ts';

/** Every accepted format name, in the order error messages list them. */
export const INTAKE_FORMATS = [
  'generic',
  'suricata',
  'wazuh',
  'zeek',
  'ecs',
  'ocsf',
  'fast',
  'guardduty',
  'asff',
  'msgraph',
  'crowdstrike',
  'cef',
  'email',
] as const;
export type IntakeFormat = (typeof INTAKE_FORMATS)[number];

const ADAPTERS: Record<IntakeFormat, IntakeAdapter> = {
  generic: genericAdapter,
  suricata: suricataAdapter,
  wazuh: wazuhAdapter,
  zeek: zeekAdapter,
  ecs: ecsAdapter,
  ocsf: ocsfAdapter,
  // Fast logs carry no zone: this one refuses every line until the caller names it
  // (fastAdapter(zone)); see src/intake/fast.ts.
  fast: fastAdapter(),
  guardduty: guarddutyAdapter,
  asff: asffAdapter,
  msgraph: msgraphAdapter,
  crowdstrike: crowdstrikeAdapter,
  // RFC 3164 stamps inside CEF files are read as UTC; the syslog listener takes a zone.
  cef: cefAdapter,
  // .eml files and mbox archives; the SMTP listener (smtp-intake.ts) uses the same adapter.
  email: emailAdapter,
};

/** True when `format` names an adapter (exact, lowercase). */
export function isIntakeFormat(format: string): format is IntakeFormat {
  return (INTAKE_FORMATS as readonly string[]).includes(format);
}

/** Formats whose timestamps carry no zone, so the caller may (fast: must) name one. */
const ZONED: Partial<Record<IntakeFormat, (zone: string) => IntakeAdapter>> = {
  fast: (zone) => fastAdapter(zone),
  cef: (zone) => createCefAdapter({ zone }),
};

/**
 * The adapter for `format`; throws BD_INTAKE_UNKNOWN_FORMAT listing the accepted names. A
 * `zone` is the zone of zone-less timestamps (fast, and CEF's RFC 3164 stamps); naming one
 * for a format whose timestamps carry their own is refused rather than ignored.
 */
export function adapterFor(format: string, opts: { zone?: string } = {}): IntakeAdapter {
  if (!isIntakeFormat(format)) {
    fail(
      'BD_INTAKE_UNKNOWN_FORMAT',
      `format ${JSON.stringify(format.slice(0, 60))} is not known; ` +
        `accepted: ${INTAKE_FORMATS.join(', ')}, or auto`,
      'format',
    );
  }
  if (opts.zone === undefined) return ADAPTERS[format];

  const zoned = ZONED[format];
  if (!zoned) {
    fail(
      'BD_REQUEST_INVALID',
      `zone applies only to ${Object.keys(ZONED).join(' and ')}, whose timestamps carry no ` +
        `zone; ${format} timestamps carry their own`,
      'zone',
    );
  }
  return zoned(opts.zone);
}

/** The records of a file or stream, split the way `adapter`'s format is written. */
export function fileRecords(
  adapter: IntakeAdapter,
  source: string | NodeJS.ReadableStream,
): AsyncIterable<RecordItem> {
  return (adapter.reader ?? ndjsonReader).file(source);
}

/** The records of an HTTP body, split the way `adapter`'s format is written. */
export function bodyRecords(adapter: IntakeAdapter, body: string): Iterable<RecordItem> {
  return (adapter.reader ?? ndjsonReader).body(body);
}
