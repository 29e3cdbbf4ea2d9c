/**
 * Microsoft Graph security alerts (v2, `/security/alerts_v2`): the alerts of Defender XDR,
 * Defender for Endpoint / Identity / Office 365 / Cloud Apps / Cloud, Entra ID Protection and
 * Sentinel, one alert per record. A list response (`{"value": […]}`) is split by the reader.
 *
 * A resolved alert is still a signal. It records that the detection fired (often with an
 * automatic remediation that a breach assessment still has to weigh); its status is kept in
 * `raw` and never resolves an investigation here (issue 4: an investigation is never resolved
 * because one of its member signals recovered).
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { expandingReader, unsplitBatch } from './expanding-reader.ts';
import { fingerprint } from './fingerprint.ts';
import { isObject } from './json-values.ts';
import { graphEvidence } from './msgraph-evidence.ts';
import { collectObservables } from './observables.ts';
import { describe, objectOf, outcomeOf, requiredText, textOrNull, valueAt } from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { firstPresentPath, utcTimestampAt } from './vendor-timestamps.ts';

const FORMAT = 'msgraph';

/** Microsoft Graph security alert v2 adapter: every alert, whatever its status, is a signal. */
export const msgraphAdapter: IntakeAdapter = {
  format: FORMAT,
  reader: expandingReader(alertsOf),
  parse: (record) => outcomeOf(() => parseAlert(record)),
};

function parseAlert(input: unknown): ParseOutcome {
  const record = objectOf(input);
  const batch = valueAt(record, 'value');
  if (Array.isArray(batch)) return unsplitBatch(FORMAT, 'value', batch.length);

  const id = requiredText(record, 'id');
  const title = requiredText(record, 'title');
  // Graph DateTimeOffset values are ISO 8601 and always in UTC; some carry 7 fractional
  // digits (`…:56.2290000Z`), of which milliseconds are kept.
  const timePath = firstPresentPath(record, ['lastUpdateDateTime', 'createdDateTime']);
  const time = utcTimestampAt(record, timePath);
  const severity = severityOf(valueAt(record, 'severity'));

  const tenantId = textOrNull(valueAt(record, 'tenantId'));
  const evidence = graphEvidence(valueAt(record, 'evidence'));

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // The alert keeps its id while Defender updates it; each update is new evidence.
      sourceEventId: `${id}@${time.utc}`,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title,
      severity,
      // detectorId names the detection rule; alerts without one are told apart by title.
      fingerprint: fingerprint(FORMAT, [
        textOrNull(valueAt(record, 'serviceSource')),
        textOrNull(valueAt(record, 'detectorId')) ?? title,
        tenantId,
        evidence.host,
        evidence.principal,
      ]),
      host: evidence.host,
      sourceIp: evidence.sourceIp,
      destinationIp: evidence.destinationIp,
      principal: evidence.principal,
      exerciseId: null,
      observables: collectObservables(evidence.observables),
      raw: input,
    },
  };
}

/**
 * Graph `alertSeverity` (learn.microsoft.com/graph/api/resources/security-alert): unknown,
 * informational, low, medium, high, unknownFutureValue. Informational joins low. A severity
 * Graph could not state reads as medium: an unrated alert must not sort below rated ones.
 */
function severityOf(value: unknown): Severity {
  if (value === undefined || value === null) {
    fail('BD_INTAKE_FIELD_MISSING', 'severity is required', 'severity');
  }

  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === 'informational' || text === 'low') return 'low';
  if (text === 'high') return 'high';
  if (text === 'medium' || text === 'unknown' || text === 'unknownfuturevalue') return 'medium';
  fail(
    'BD_INTAKE_FIELD_INVALID',
    `severity must be informational, low, medium, high or unknown, got ${describe(value)}`,
    'severity',
  );
}

/** A list response `{"value": […]}` holds a page of alerts; each is read on its own. */
function alertsOf(record: unknown): unknown[] | null {
  if (!isObject(record) || !Array.isArray(record.value)) return null;
  return record.value.length > 0 ? record.value : null;
}
