/**
 * The rules of visible-text.ts as zod checks, for schemas of text a person types into the
 * console: a one-line field (a reason, a name) or a field of several lines (a post-mortem).
 */
import type { z } from 'zod';
import { controlOrBidiIn, lineBreakOrControlIn } from './visible-text.ts';

/** What a refused field is told, naming the first offending character. */
export function controlMessage(lines: 'one' | 'many', found: string): string {
  return lines === 'one'
    ? `must be one line without control or bidi characters (${found})`
    : `must not contain control or bidi override characters (${found})`;
}

/** A superRefine check refusing controls and bidi overrides (and line breaks in one line). */
export function noControls(lines: 'one' | 'many') {
  return (text: string, ctx: z.RefinementCtx<string>): void => {
    const found = lines === 'one' ? lineBreakOrControlIn(text) : controlOrBidiIn(text);
    if (found !== null) ctx.addIssue({ code: 'custom', message: controlMessage(lines, found) });
  };
}
