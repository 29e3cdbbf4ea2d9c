/**
 * Readers for formats whose senders batch several findings into one JSON value: an
 * EventBridge event carrying `detail.findings[]`, an API response such as `{"Findings": […]}`
 * or `{"value": […]}`. Each finding becomes a record of its own, on the line of its batch,
 * so the adapter still answers one outcome per finding.
 */
import { fail } from '../domain/errors.ts';
import { jsonDocumentsReader } from './json-documents.ts';
import { skipped } from './outcome.ts';
import type { ParseOutcome } from './outcome.ts';
import type { RecordItem, RecordReader } from './records.ts';

/** The findings inside a batch, or null when the record is not a batch (taken as it is). */
export type Expand = (record: unknown) => unknown[] | null;

/**
 * A reader that splits batches with `expand`; anything else passes through unchanged. Files
 * and bodies may be NDJSON or pretty-printed JSON (API answers saved by hand), as
 * jsonDocumentsReader reads them.
 */
export function expandingReader(expand: Expand): RecordReader {
  return {
    async *file(source) {
      for await (const item of jsonDocumentsReader.file(source)) yield* expanded(item, expand);
    },
    *body(text) {
      for (const item of jsonDocumentsReader.body(text)) yield* expanded(item, expand);
    },
    takesJsonDocuments: true,
  };
}

/**
 * What an adapter answers when handed a whole batch instead of one finding, which happens
 * only when a caller bypasses the format's reader: an empty batch holds nothing to
 * investigate and is skipped; a full one is refused, naming the batch field.
 */
export function unsplitBatch(format: string, path: string, size: number): ParseOutcome {
  if (size === 0) return skipped(`${path} is empty: there is no finding to read`);
  fail(
    'BD_INTAKE_FIELD_INVALID',
    `${path} holds ${size} findings; send the batch to the ${format} intake (file or HTTP), ` +
      'which splits it, or send one finding per record',
    path,
  );
}

function* expanded(item: RecordItem, expand: Expand): Generator<RecordItem> {
  if ('error' in item) {
    yield item;
    return;
  }

  const findings = expand(item.record);
  if (findings === null) {
    yield item;
    return;
  }
  for (const record of findings) yield { line: item.line, record };
}
