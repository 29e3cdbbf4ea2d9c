/**
 * The log paths of a scoping request, as text. They are stored with the scoping run and read
 * again in the console, the regulator report and evidence exports, so each is one line without
 * control characters or bidi overrides, which could show one file's name as another's. Pure.
 */
import { fail } from '../domain/errors.ts';
import { controlMessage } from '../domain/text-rules.ts';
import { lineBreakOrControlIn } from '../domain/visible-text.ts';

/** Refuses the first path holding a line break, control or bidi character (BD_SCOPE_INVALID). */
export function checkPathText(paths: readonly string[]): void {
  for (const [i, path] of paths.entries()) {
    const control = lineBreakOrControlIn(path);
    if (control === null) continue;

    const field = `paths[${i}]`;
    fail('BD_SCOPE_INVALID', `${field} ${controlMessage('one', control)}`, field);
  }
}
