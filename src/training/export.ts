/**
 * The training record for auditors, as CSV or JSON: either where every active person on the
 * response side stands in every topic (`status`), or every completion ever recorded
 * (`completions`, disabled people's included). CSV cells go through the spreadsheet-cell
 * neutraliser, so a name or note such as `=cmd|…` opens as text, never as a formula. Each
 * export is audited as `training.exported`.
 */
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { type CellValue, spreadsheetRow } from '../domain/spreadsheet-cell.ts';
import {
  currentVersion,
  JOINING_GRACE_DAYS,
  REFRESHER_DAYS,
  REFRESHER_WINDOW_DAYS,
  TRAINING_TOPICS,
} from '../domain/training.ts';
import type { Db } from '../store/db.ts';
import { type CompletionView, listCompletions, listTrainingStatus } from './records.ts';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export const EXPORT_ROWS = ['status', 'completions'] as const;

export interface TrainingExport {
  contentType: string;
  /** A file name to offer (HTTP Content-Disposition, CLI default). */
  fileName: string;
  body: string;
}

const STATUS_COLUMNS = [
  'person_id',
  'email',
  'display_name',
  'role',
  'joined_at',
  'topic',
  'topic_title',
  'current_version',
  'state',
  'due_at',
  'last_completed_at',
  'last_version',
];

const COMPLETION_COLUMNS = [
  'completion_id',
  'person_id',
  'email',
  'display_name',
  'topic',
  'topic_version',
  'completed_at',
  'recorded_by',
  'recorded_at',
  'note',
];

/** The catalogue and the rules, as they are at `at`: what an auditor reads the record by. */
export function trainingRules(at: Date = new Date()) {
  return {
    joiningGraceDays: JOINING_GRACE_DAYS,
    refresherDays: REFRESHER_DAYS,
    refresherWindowDays: REFRESHER_WINDOW_DAYS,
    topics: TRAINING_TOPICS.map((t) => ({
      id: t.id,
      title: t.title,
      currentVersion: currentVersion(t, at),
      versions: t.versions,
    })),
  };
}

/** Builds the export at `at` and audits it; the caller writes or sends the body. */
export async function exportTraining(
  db: Db,
  actor: Actor,
  opts: { format: (typeof EXPORT_FORMATS)[number]; rows: (typeof EXPORT_ROWS)[number]; at?: Date },
): Promise<TrainingExport> {
  assertCan(actor, 'training.export');
  const at = opts.at ?? new Date();
  const statuses = await listTrainingStatus(db, { at });
  const completions = await listCompletions(db);

  const stamp = at.toISOString().slice(0, 10);
  // The JSON export holds both views; a CSV file holds one table.
  const fileName =
    opts.format === 'json' ? `training-${stamp}.json` : `training-${opts.rows}-${stamp}.csv`;
  const document = { generatedAt: at.toISOString(), rules: trainingRules(at), people: statuses };
  const body =
    opts.format === 'json'
      ? `${JSON.stringify({ ...document, completions }, null, 2)}\n`
      : opts.rows === 'status'
        ? statusCsv(statuses)
        : completionCsv(completions);

  await db.transaction((tx) =>
    appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'training.exported',
      entityType: 'training',
      entityId: fileName,
      data: { format: opts.format, rows: opts.rows, people: statuses.length, at: at.toISOString() },
    }),
  );
  const contentType = opts.format === 'json' ? 'application/json' : 'text/csv; charset=utf-8';
  return { contentType, fileName, body };
}

function statusCsv(statuses: Awaited<ReturnType<typeof listTrainingStatus>>): string {
  const lines = [spreadsheetRow(STATUS_COLUMNS)];
  for (const p of statuses) {
    for (const t of p.topics) {
      const cells: CellValue[] = [
        p.personId,
        p.email,
        p.displayName,
        p.role,
        p.joinedAt,
        t.topic,
        t.title,
        t.currentVersion,
        t.state,
        t.dueAt,
        t.lastCompletedAt,
        t.lastVersion,
      ];
      lines.push(spreadsheetRow(cells));
    }
  }
  return lines.join('');
}

function completionCsv(completions: CompletionView[]): string {
  const lines = [spreadsheetRow(COMPLETION_COLUMNS)];
  for (const c of completions) {
    lines.push(
      spreadsheetRow([
        c.id,
        c.personId,
        c.email,
        c.displayName,
        c.topic,
        c.topicVersion,
        c.completedAt,
        c.recordedBy,
        c.recordedAt,
        c.note,
      ]),
    );
  }
  return lines.join('');
}
