/**
 * The responders' queue: open investigations with the nearest open legal deadline of each,
 * filtered, sorted and paged by the database, so that a filter or sort holds across every page
 * and `total` counts them all.
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getRegime, isRegimeId } from '../domain/regimes/index.ts';
import { CLASSIFICATIONS, SEVERITIES, type Stage } from '../domain/types.ts';
import { fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';

/** Stages a queue shows: every stage but close. */
export const OPEN_STAGES = [
  'detect',
  'assess',
  'diagnose',
  'stabilize',
] as const satisfies readonly Exclude<Stage, 'close'>[];
/** The classification filter's name for "not classified yet". */
export const UNCLASSIFIED = 'unclassified';
export const QUEUE_SORTS = ['deadline', 'severity', 'opened', 'updated'] as const;
export const MAX_PAGE_SIZE = 100;

// Each sort's natural direction: the most pressing first.
const DEFAULT_ORDER: Record<QueueSort, 'asc' | 'desc'> = {
  deadline: 'asc',
  severity: 'desc',
  opened: 'desc',
  updated: 'desc',
};

type QueueSort = (typeof QUEUE_SORTS)[number];

// A query field given once arrives as a string, given twice as an array; "a,b" also lists.
const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      [v]
        .flat()
        .flatMap((s) => s.split(','))
        .filter((s) => s !== ''),
    )
    .pipe(z.array(z.enum(values, { error: `must be one of ${values.join(', ')}` })).max(20))
    .optional();

// Every refusal states the range: "a whole number" alone misleads when the number is too big.
const whole = (min: number, max: number) => {
  const range = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,16}$/, range)
    .transform(Number)
    .pipe(z.number().min(min, range).max(max, range));
};

const querySchema = z
  .object({
    stage: list(OPEN_STAGES),
    severity: list(SEVERITIES),
    classification: list([...CLASSIFICATIONS, UNCLASSIFIED]),
    sort: z.enum(QUEUE_SORTS, { error: `must be one of ${QUEUE_SORTS.join(', ')}` }).optional(),
    order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
    page: whole(1, 1_000_000).optional(),
    pageSize: whole(1, MAX_PAGE_SIZE).optional(),
  })
  .strict();

export type QueueQuery = z.output<typeof querySchema>;

/** Reads the query string; BD_REQUEST_INVALID names the first bad (or unknown) field. */
export function parseQueueQuery(input: unknown): QueueQuery {
  const result = querySchema.safeParse(input ?? {});
  if (result.success) return result.data;

  // The query field itself, not the position in a repeated one (stage, not stage[1]).
  const issue = result.error.issues[0];
  const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = unknown ?? String(issue?.path[0] ?? '(query)');
  const what = unknown ? 'is not a query field of the queue' : (issue?.message ?? 'is invalid');
  fail('BD_REQUEST_INVALID', `query ${field}: ${what}`, field);
}

interface QueueRow {
  id: string;
  number: number;
  title: string;
  stage: string;
  severity: string;
  classification: string | null;
  exercise_id: string | null;
  opened_at: unknown;
  updated_at: unknown;
  due: unknown;
  regime: string | null;
  filing: string | null;
}

// PGlite and node-postgres both hand timestamptz back as Date; raw text is read the same way.
function isoOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return new Date(value as string | Date).toISOString();
}

const inList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

function whereOf(q: QueueQuery): SQL {
  const parts: SQL[] = [sql`i.stage <> 'close'`];
  if (q.stage?.length) parts.push(sql`i.stage IN (${inList(q.stage)})`);
  if (q.severity?.length) parts.push(sql`i.severity IN (${inList(q.severity)})`);
  if (q.classification?.length) {
    const named = q.classification.filter((c) => c !== UNCLASSIFIED);
    const either: SQL[] = [];
    if (named.length) either.push(sql`i.classification IN (${inList(named)})`);
    if (named.length < q.classification.length) either.push(sql`i.classification IS NULL`);
    parts.push(sql`(${sql.join(either, sql` OR `)})`);
  }
  return sql.join(parts, sql` AND `);
}

function orderOf(sort: QueueSort, order: 'asc' | 'desc'): SQL {
  const dir = sql.raw(order === 'asc' ? 'ASC' : 'DESC');
  // The number breaks ties, so that paging never shows a row twice or skips one.
  const tie = sql.raw(order === 'asc' ? 'i.number ASC' : 'i.number DESC');
  switch (sort) {
    case 'deadline':
      // Investigations without a dated open obligation come last whichever way it runs.
      return sql`n.due ${dir} NULLS LAST, ${tie}`;
    case 'severity':
      return sql`CASE i.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1
        ELSE 0 END ${dir}, ${tie}`;
    case 'opened':
      return sql`i.opened_at ${dir}, ${tie}`;
    case 'updated':
      return sql`i.updated_at ${dir}, ${tie}`;
  }
}

/** One page of the queue, with how many open investigations match in all. */
export async function listQueue(db: Db, q: QueueQuery) {
  const sort = q.sort ?? 'deadline';
  const order = q.order ?? DEFAULT_ORDER[sort];
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 25;
  const where = whereOf(q);

  // The nearest open deadline: the earliest due instant among obligations neither met nor
  // decided "not required" (as the deadline sweep and the metrics count them).
  const result: unknown = await db.execute(sql`
    SELECT i.id, i.number, i.title, i.stage, i.severity, i.classification, i.exercise_id,
      i.opened_at, i.updated_at, n.due, n.regime, n.filing
    FROM investigations i
    LEFT JOIN LATERAL (
      SELECT c.due, c.regime, c.filing FROM clocks c
      WHERE c.investigation_id = i.id AND c.due IS NOT NULL
        AND c.status NOT IN ('met', 'not_required')
      ORDER BY c.due ASC, c.regime ASC, c.filing ASC
      LIMIT 1
    ) n ON true
    WHERE ${where}
    ORDER BY ${orderOf(sort, order)}
    LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`);
  const counted: unknown = await db.execute(
    sql`SELECT count(*)::int AS total FROM investigations i WHERE ${where}`,
  );

  const rows = (result as { rows: QueueRow[] }).rows;
  const total = Number((counted as { rows: { total: unknown }[] }).rows[0]?.total ?? 0);
  return {
    items: rows.map(itemOf),
    total,
    page,
    pageSize,
    sort,
    order,
  };
}

function itemOf(r: QueueRow) {
  const due = isoOf(r.due);
  return {
    id: r.id,
    number: Number(r.number),
    ref: `INV-${r.number}`,
    title: r.title,
    stage: r.stage,
    severity: r.severity,
    classification: r.classification,
    exercise: r.exercise_id !== null,
    openedAt: isoOf(r.opened_at),
    updatedAt: isoOf(r.updated_at),
    nearestDeadline:
      due === null || r.regime === null
        ? null
        : {
            due,
            regime: r.regime,
            regimeName: isRegimeId(r.regime) ? getRegime(r.regime).title : r.regime,
            filing: r.filing,
          },
  };
}
