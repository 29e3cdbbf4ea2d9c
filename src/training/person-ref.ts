/**
 * Finding the person a training record or an on-call shift is about, named by e-mail address
 * or by id, and refusing anyone who is not on the response side.
 */
import { eq } from 'drizzle-orm';
import { normaliseEmail } from '../auth/people.ts';
import { type ErrorCode, fail } from '../domain/errors.ts';
import { isResponseSide } from '../domain/training.ts';
import type { Role } from '../domain/types.ts';
import type { Conn } from '../store/db.ts';
import { people } from '../store/schema.ts';

export type PersonRow = typeof people.$inferSelect;

/**
 * The person `ref` names (an e-mail address when it holds an @, else an id), locked for the
 * rest of the transaction when `lock` is set. Unknown: BD_NOT_FOUND; a tenant admin: `code`.
 */
export async function responsePerson(
  conn: Conn,
  ref: string,
  opts: { field: string; code: ErrorCode; lock?: boolean },
): Promise<PersonRow> {
  const where = ref.includes('@') ? eq(people.email, normaliseEmail(ref)) : eq(people.id, ref);
  const query = conn.select().from(people).where(where);
  const [row] = opts.lock ? await query.for('update') : await query;
  if (!row) fail('BD_NOT_FOUND', `no person ${ref}; name one by e-mail or id`, opts.field);

  if (!isResponseSide(row.role as Role)) {
    fail(
      opts.code,
      `${row.email} is a tenant admin, not on the response side; name a provider employee`,
      opts.field,
    );
  }
  return row;
}
