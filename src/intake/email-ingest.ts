/**
 * E-mail through the common intake (ingest.ts), one message at a time, each filed with the
 * report it follows up (email-thread.ts). One message per transaction: a follow-up further
 * down an mbox must find the report stored above it, and mail is never so many messages that
 * batching would matter.
 */
import type { Db } from '../store/db.ts';
import { findReportThread } from './email-thread.ts';
import {
  addSummary,
  emptySummary,
  type IngestOptions,
  type IngestSummary,
  ingestRecords,
} from './ingest.ts';
import type { IntakeAdapter } from './outcome.ts';
import type { RecordItem } from './records.ts';

/**
 * ingestRecords for the `email` adapter: the same options and summary, but a message whose
 * thread headers or reference tie it to an open report joins that report's investigation
 * however long after it arrives.
 */
export async function ingestEmailRecords(
  db: Db,
  adapter: IntakeAdapter,
  records: AsyncIterable<RecordItem> | Iterable<RecordItem>,
  opts: IngestOptions,
): Promise<IngestSummary> {
  const summary = emptySummary();

  for await (const item of records) {
    const source = opts.source ?? adapter.format;
    const thread = 'record' in item ? await findReportThread(db, item.record, source) : null;

    const one = await ingestRecords(db, adapter, [item], {
      ...opts,
      ...(thread === null ? {} : { joinInvestigation: thread.investigationId }),
    });
    addSummary(summary, one);
  }
  return summary;
}
