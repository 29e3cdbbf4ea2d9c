/**
 * Wazuh alerts.json: one alert per line, as the manager writes it and as the indexer stores it
 * (the indexer turns some numbers into strings, so numeric fields accept both spellings).
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { fingerprint } from './fingerprint.ts';
import { collectObservables } from './observables.ts';
import {
  describe,
  integerOrNull,
  ipOrNull,
  objectOf,
  outcomeOf,
  requiredText,
  textOrNull,
  valueAt,
} from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { timestampAt } from './timestamp.ts';

const FORMAT = 'wazuh';

/** Wazuh alert adapter: every alert with a rule id, description and timestamp is a signal. */
export const wazuhAdapter: IntakeAdapter = {
  format: FORMAT,
  parse: (record) => outcomeOf(() => parseAlert(record)),
};

function parseAlert(input: unknown): ParseOutcome {
  const record = objectOf(input);

  const time = timestampAt(record, 'timestamp');
  const ruleId = ruleIdOf(valueAt(record, 'rule.id'));
  const title = requiredText(record, 'rule.description');
  const severity = severityOf(valueAt(record, 'rule.level'));

  const agentId = idText(valueAt(record, 'agent.id'));
  const sourceIp = ipOrNull(valueAt(record, 'data.srcip'));
  const destinationIp = ipOrNull(valueAt(record, 'data.dstip'));
  // dstuser is the account acted upon (su, sudo, a login target); srcuser is who acted.
  const principal =
    textOrNull(valueAt(record, 'data.dstuser')) ?? textOrNull(valueAt(record, 'data.srcuser'));

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      sourceEventId: idText(valueAt(record, 'id')),
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title,
      severity,
      fingerprint: fingerprint(FORMAT, [ruleId, agentId, sourceIp, principal]),
      host: textOrNull(valueAt(record, 'agent.name')),
      sourceIp,
      destinationIp,
      principal,
      exerciseId: null,
      observables: collectObservables([
        { kind: 'ip', value: sourceIp, tag: 'source' },
        { kind: 'ip', value: destinationIp, tag: 'destination' },
        { kind: 'principal', value: principal, tag: 'user' },
      ]),
      raw: input,
    },
  };
}

/** Rule ids are strings in alerts.json ("5712") but numbers in some exports; both read alike. */
function ruleIdOf(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    fail('BD_INTAKE_FIELD_MISSING', 'rule.id is required', 'rule.id');
  }

  const id = idText(value);
  if (id === null) {
    fail('BD_INTAKE_FIELD_INVALID', `rule.id must be a string, got ${describe(value)}`, 'rule.id');
  }
  return id;
}

/**
 * Wazuh rule levels run 0–16. 12 and above are the levels Wazuh itself calls high importance;
 * 7–11 cover "bad word" matches, first-time events and integrity warnings. An alert without
 * a level reads as low; a level above 16 (not Wazuh's own) still counts as high.
 */
function severityOf(value: unknown): Severity {
  if (value === undefined || value === null) return 'low';

  const level = integerOrNull(value);
  if (level === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `rule.level must be a non-negative integer (Wazuh uses 0–16), got ${describe(value)}`,
      'rule.level',
    );
  }
  if (level >= 12) return 'high';
  return level >= 7 ? 'medium' : 'low';
}

function idText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return textOrNull(value);
}
