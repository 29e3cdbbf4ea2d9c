/**
 * Reading a dotted field path from records that spell it in more than one way. Elastic
 * exports, Zeek's JSON writer and log shippers write `host.name` as a nested object, as one
 * flat key `"host.name"`, or as a mix (`{"kibana.alert": {"rule": {…}}}`); all mean the same.
 */

/**
 * The value at `path`, wherever the record splits it into keys: nested objects first (the
 * canonical form), then ever longer dotted keys. Own keys only, so `__proto__` and
 * `constructor` never reach the prototype. Undefined when no spelling is present.
 */
export function fieldAt(record: unknown, path: string): unknown {
  return lookup(record, path.split('.'), 0);
}

/** The first of `paths` that is present (not undefined or null), with the path it came from. */
export function firstFieldAt(
  record: unknown,
  paths: readonly string[],
): { path: string; value: unknown } | null {
  for (const path of paths) {
    const value = fieldAt(record, path);
    if (value !== undefined && value !== null) return { path, value };
  }
  return null;
}

/** A value that may be one item or an array of them, as a list (absent ⇒ empty). */
export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** True for a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(node: unknown, keys: string[], from: number): unknown {
  if (!isRecord(node)) return undefined;

  // Shortest key first: `{"host": {"name": …}}` is the canonical spelling and wins a tie.
  for (let end = from + 1; end <= keys.length; end += 1) {
    const key = keys.slice(from, end).join('.');
    if (!Object.hasOwn(node, key)) continue;

    const value = end === keys.length ? node[key] : lookup(node[key], keys, end);
    if (value !== undefined) return value;
  }
  return undefined;
}
