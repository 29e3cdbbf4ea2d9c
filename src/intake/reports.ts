/**
 * Reports made by people rather than sensors (DESIGN.md §1.1): internal reports, operator
 * escalations, customer reports and red-team exercise activity. Each becomes a generic signal
 * through the same intake as any alert (ingest.ts), so it is de-duplicated, correlated,
 * suppressed and triaged like one, with the reporter recorded.
 *
 * The kind follows from who reports: a tenant user's report is always a customer report for
 * the tenant of the token (neither kind nor tenant is taken from the body); staff choose among
 * the other kinds and never file customer reports.
 */
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan, can } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { controlMessage } from '../domain/text-rules.ts';
import { controlOrBidiIn, lineBreakOrControlIn, showsNoText } from '../domain/visible-text.ts';
import type { Db } from '../store/db.ts';
import { reportRecordAdapter } from './generic.ts';
import { ingestRecords } from './ingest.ts';
import type { IntakeAdapter } from './outcome.ts';
import { describe } from './outcome.ts';
import { normalizeTimestamp } from './timestamp.ts';

export const REPORT_KINDS = [
  'internal_report',
  'operator_escalation',
  'customer_report',
  'red_team',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** The signals' source: reports share one, told apart by their source kind. */
export const REPORT_SOURCE = 'report';

/** Longest description kept, in characters. */
export const REPORT_DESCRIPTION_MAX = 20_000;

const FIELDS = [
  'kind',
  'title',
  'description',
  'occurredAt',
  'host',
  'principal',
  'severity',
  'exerciseId',
];

/** What became of a report: its signal id and where triage took it. */
export interface ReportReceipt {
  id: string;
  kind: ReportKind;
  status: 'accepted' | 'duplicate' | 'suppressed';
  investigationId: string | null;
  /** True when the report opened a new investigation (rather than joining one). */
  opened: boolean;
  ruleId: string | null;
}

/**
 * Takes one report from `actor`: checks who may report what, turns the body into a generic
 * record and ingests it. A rejected report stores nothing and throws the coded error naming
 * the report's own field. `occurredAt` defaults to `now`: the time the report is made.
 */
export async function submitReport(
  db: Db,
  actor: Actor,
  input: unknown,
  now = new Date(),
): Promise<ReportReceipt> {
  const body = reportBody(input);
  checkTitle(body.title);
  const kind = kindFor(actor, body.kind);
  const tenantId = kind === 'customer_report' ? actor.tenantId : null;
  const record = genericRecord(body, kind, tenantId, now);

  const stored: { signalId?: string } = {};
  const adapter: IntakeAdapter = {
    format: reportRecordAdapter.format,
    parse: (record, receivedAt) => reportRecordAdapter.parse(record, receivedAt),
    afterStore: async (tx, signal) => {
      stored.signalId = signal.signalId;
      await appendAudit(tx, {
        actor: actorLabel(actor),
        action: 'report.received',
        entityType: 'signal',
        entityId: signal.signalId,
        data: { kind, tenantId, investigationId: signal.investigationId },
      });
    },
  };
  const summary = await ingestRecords(db, adapter, [{ line: 1, record }], {
    actor,
    source: REPORT_SOURCE,
    tenantId,
    reporter: actor.id,
    keepAllResults: true,
  });

  const result = summary.results[0];
  if (result?.status === 'rejected') {
    // The generic record calls the report's occurredAt `time`.
    const field = result.field === 'time' ? 'occurredAt' : (result.field ?? undefined);
    fail(result.code as Parameters<typeof fail>[0], result.reason, field);
  }
  const id = stored.signalId;
  // Without an event id a report is never a repeat, and the generic adapter never skips.
  if (id === undefined || result === undefined) {
    throw new Error(`report was not stored: ${JSON.stringify(result)}`);
  }
  switch (result.status) {
    case 'accepted':
    case 'duplicate': {
      const opened = result.status === 'accepted' && result.opened;
      const { investigationId } = result;
      return { id, kind, status: result.status, investigationId, opened, ruleId: null };
    }
    case 'suppressed':
      return {
        id,
        kind,
        status: 'suppressed',
        investigationId: null,
        opened: false,
        ruleId: result.ruleId,
      };
    case 'repeat':
    case 'skipped':
      throw new Error(`report came back ${result.status}`);
  }
}

function reportBody(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    fail('BD_INTAKE_FIELD_INVALID', `a report must be a JSON object, got ${describe(input)}`);
  }

  for (const key of Object.keys(input)) {
    if (key === 'tenantId') {
      fail(
        'BD_INTAKE_FIELD_INVALID',
        'tenantId is not accepted: a customer report belongs to the tenant of its token',
        'tenantId',
      );
    }
    if (!FIELDS.includes(key)) {
      fail(
        'BD_INTAKE_FIELD_INVALID',
        `${key} is not a report field; send ${FIELDS.join(', ')}`,
        key,
      );
    }
  }
  return input as Record<string, unknown>;
}

/**
 * A title is one line that shows text: a line break would split it in lists, notices and
 * logs, and a title of white space or invisible characters names nothing. A missing or
 * non-text title is left to the generic adapter, which names it the same way.
 */
function checkTitle(title: unknown): void {
  if (typeof title !== 'string') return;

  if (showsNoText(title)) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'title is required; it shows no text (only white space or invisible characters)',
      'title',
    );
  }
  const control = lineBreakOrControlIn(title);
  if (control !== null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `title must be one line without control characters; it contains ${control}. ` +
        'Put the details in description',
      'title',
    );
  }
}

function kindFor(actor: Actor, requested: unknown): ReportKind {
  if (requested !== undefined && !(REPORT_KINDS as readonly unknown[]).includes(requested)) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `kind must be one of ${REPORT_KINDS.join(', ')}, got ${describe(requested)}`,
      'kind',
    );
  }

  // Tenant users report only for their own tenant (customer reports); auditors only read.
  if (can(actor, 'report.customer.submit') && actor.tenantId !== null) {
    // A tenant must not be able to open a red-team (never-notified) or internal investigation.
    if (requested !== undefined && requested !== 'customer_report') {
      fail(
        'BD_AUTH_FORBIDDEN',
        `a tenant user's report is a customer_report; kind ${describe(requested)} is for staff`,
        'kind',
      );
    }
    return 'customer_report';
  }

  assertCan(actor, 'report.submit');
  if (requested === 'customer_report') {
    fail(
      'BD_AUTH_FORBIDDEN',
      'customer reports are filed by the tenant itself, with a tenant_admin token; ' +
        'file an internal_report or operator_escalation instead',
      'kind',
    );
  }
  return (requested as ReportKind | undefined) ?? 'internal_report';
}

function genericRecord(
  body: Record<string, unknown>,
  kind: ReportKind,
  tenantId: string | null,
  now: Date,
): Record<string, unknown> {
  const { description, occurredAt } = body;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string' || [...description].length > REPORT_DESCRIPTION_MAX) {
      fail(
        'BD_INTAKE_FIELD_INVALID',
        `description must be a text of at most ${REPORT_DESCRIPTION_MAX} characters`,
        'description',
      );
    }
    const control = controlOrBidiIn(description);
    if (control !== null) {
      fail(
        'BD_INTAKE_FIELD_INVALID',
        `description ${controlMessage('many', control)}`,
        'description',
      );
    }
  }
  const time = occurredAt === undefined || occurredAt === null ? now.toISOString() : occurredAt;
  const checked = normalizeTimestamp(time, 'occurredAt');
  if ('error' in checked) fail('BD_INTAKE_FIELD_INVALID', checked.error, 'occurredAt');

  const record: Record<string, unknown> = {
    time,
    title: body.title,
    sourceKind: kind,
    severity: body.severity,
    host: body.host,
    principal: body.principal,
    exerciseId: body.exerciseId,
    description: description ?? null,
  };
  // Two tenants reporting the same title are two reports, never one the other's duplicate.
  if (tenantId !== null) {
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const keys = [body.title, body.host, body.principal].map(text);
    record.fingerprintKeys = [`tenant:${tenantId}`, ...keys];
  }
  return record;
}
