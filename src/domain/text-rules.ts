/**
 * The rules of visible-text.ts as zod checks, for schemas of text a person types into the
 * console: a one-line field (a reason, a name) or a field of several lines (a post-mortem).
 */
import type { z } from 'zod';
import {
  controlOrBidiIn,
  formatCharacterIn,
  lineBreakOrControlIn,
  showsNoText,
} from './visible-text.ts';

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

/** A superRefine check refusing text that shows nothing; `what` says what to send instead. */
export function showsText(what: string) {
  return (text: string, ctx: z.RefinementCtx<string>): void => {
    if (showsNoText(text)) ctx.addIssue({ code: 'custom', message: `shows no text; ${what}` });
  };
}

/**
 * Why `text` cannot be a one-line name that people compare by eye (a rule's owner, a scoping
 * principal), or null when it can: it shows text, holds no line break, control or bidi
 * character, and no format character that would make it differ from the name it looks like.
 * Run it before trimming, so that a trailing line break or BOM is refused rather than cut off.
 * `what` says what to send instead of a value that shows nothing.
 */
export function nameProblem(text: string, what: string): string | null {
  if (showsNoText(text)) return `shows no text; ${what}`;

  const control = lineBreakOrControlIn(text);
  if (control !== null) return controlMessage('one', control);

  const format = formatCharacterIn(text);
  if (format === null) return null;
  return (
    `must not hold invisible format characters such as zero-width spaces, joiners, BOMs or ` +
    `tag characters (${format}); send the name with only characters that show`
  );
}

/** nameProblem as a superRefine check; put it before `.trim()`. */
export function oneLineName(what: string) {
  return (text: string, ctx: z.RefinementCtx<string>): void => {
    const problem = nameProblem(text, what);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  };
}
