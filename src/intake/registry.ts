/**
 * The formats intake understands, by the name a sender or operator uses to pick one.
 */
import { fail } from '../domain/errors.ts';
import { genericAdapter } from './generic.ts';
import type { IntakeAdapter } from './outcome.ts';
import { ndjsonReader, type RecordItem } from './records.ts';
import { suricataAdapter } from './suricata.ts';
import { wazuhAdapter } from './wazuh.ts';

/** Every accepted format name, in the order error messages list them. */
export const INTAKE_FORMATS = ['generic', 'suricata', 'wazuh'] as const;
export type IntakeFormat = (typeof INTAKE_FORMATS)[number];

const ADAPTERS: Record<IntakeFormat, IntakeAdapter> = {
  generic: genericAdapter,
  suricata: suricataAdapter,
  wazuh: wazuhAdapter,
};

/** True when `format` names an adapter (exact, lowercase). */
export function isIntakeFormat(format: string): format is IntakeFormat {
  return (INTAKE_FORMATS as readonly string[]).includes(format);
}

/** The adapter for `format`; throws BD_INTAKE_UNKNOWN_FORMAT listing the accepted names. */
export function adapterFor(format: string): IntakeAdapter {
  if (!isIntakeFormat(format)) {
    fail(
      'BD_INTAKE_UNKNOWN_FORMAT',
      `format ${JSON.stringify(format.slice(0, 60))} is not known; ` +
        `accepted: ${INTAKE_FORMATS.join(', ')}`,
      'format',
    );
  }
  return ADAPTERS[format];
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
