/**
 * The template language: Liquid (liquidjs), set up for templates that people edit. Liquid
 * has no way to call a function or evaluate JavaScript; on top of that this engine reads no
 * files (include, render and layout are removed, and the in-memory template map is empty),
 * refuses unknown variables and filters, hides prototype properties, and bounds template
 * size, render time, memory and output length. Every refusal is a coded error:
 * BD_TEMPLATE_UNSAFE for what could reach outside the template or exhaust the server,
 * BD_TEMPLATE_INVALID for what is merely wrong.
 */
import { Liquid, LiquidError, type Template } from 'liquidjs';
import { BreachdeskError, fail } from '../../domain/errors.ts';
import { type TemplateView, VIEW_VARIABLES } from './view.ts';

/** Longest template source accepted, in characters. */
export const TEMPLATE_MAX_LENGTH = 64 * 1024;
/** Longest rendered body accepted, in characters (a notice is a few kilobytes). */
export const OUTPUT_MAX_LENGTH = 256 * 1024;
const RENDER_TIME_LIMIT_MS = 1000;
// liquidjs counts allocated string and array lengths against this.
const MEMORY_LIMIT = 4 * OUTPUT_MAX_LENGTH;

/** A parsed template: its subject line and its body. */
export interface CompiledTemplate {
  name: string;
  subject: Template[];
  body: Template[];
}

const FILE_TAGS = ['include', 'render', 'layout'] as const;
const FOLLOW_UP_FIELDS = [
  'what',
  'initial_ref',
  'initial_date',
  'initial_id',
  'previous_ref',
  'previous_date',
  'previous_id',
  'previous_phase',
];

const liquid = new Liquid({
  // An empty in-memory map: no lookup ever reaches the file system.
  templates: {},
  relativeReference: false,
  dynamicPartials: false,
  strictVariables: true,
  strictFilters: true,
  lenientIf: true,
  ownPropertyOnly: true,
  jsTruthy: false,
  parseLimit: TEMPLATE_MAX_LENGTH,
  renderLimit: RENDER_TIME_LIMIT_MS,
  memoryLimit: MEMORY_LIMIT,
  // Dates render the same whatever the server's zone.
  timezoneOffset: 0,
  locale: 'en-GB',
});
for (const tag of FILE_TAGS) Reflect.deleteProperty(liquid.tags, tag);
// A notice must render the same every time; `sample` picks at random.
liquid.unregisterFilter('sample');

// JavaScript object internals; no legitimate notice template names them.
const INTERNALS = /\b(?:__proto__|constructor|prototype|__defineGetter__|__lookupGetter__)\b/;
const MARKUP = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

/**
 * Parses a template file: a first line `Subject: …`, an optional blank line, then the body.
 * `name` appears in error messages.
 */
export function compileTemplate(source: string, name: string): CompiledTemplate {
  if (source.length > TEMPLATE_MAX_LENGTH) {
    fail(
      'BD_TEMPLATE_UNSAFE',
      `template ${name} is ${source.length} characters; at most ${TEMPLATE_MAX_LENGTH} ` +
        'are accepted',
      'template',
    );
  }
  const text = source.replace(/\r\n?/g, '\n');
  for (const markup of text.match(MARKUP) ?? []) {
    const hit = INTERNALS.exec(markup);
    if (hit) {
      fail(
        'BD_TEMPLATE_UNSAFE',
        `template ${name} names "${hit[0]}", a JavaScript internal; use the documented variables`,
        'template',
      );
    }
  }

  const firstBreak = text.indexOf('\n');
  const firstLine = firstBreak === -1 ? text : text.slice(0, firstBreak);
  const subjectMatch = /^Subject:[ \t]*(.*)$/.exec(firstLine);
  if (!subjectMatch) {
    fail(
      'BD_TEMPLATE_INVALID',
      `template ${name} must start with a line "Subject: …" followed by the body`,
      'template',
    );
  }
  const body = firstBreak === -1 ? '' : text.slice(firstBreak + 1).replace(/^[ \t]*\n/, '');

  const compiled = {
    name,
    subject: parse(subjectMatch[1] ?? '', name),
    body: parse(body, name),
  };
  checkVariables(compiled);
  return compiled;
}

/** Renders a compiled template; the subject is raw here (render.ts makes it one line). */
export function renderTemplate(
  template: CompiledTemplate,
  view: TemplateView,
): { subject: string; body: string } {
  // A fresh plain copy: the template cannot reach the caller's objects or their prototypes.
  const scope = JSON.parse(JSON.stringify(view)) as object;
  const subject = run(template.subject, scope, template.name);
  const body = run(template.body, scope, template.name);

  if (body.length > OUTPUT_MAX_LENGTH || subject.length > OUTPUT_MAX_LENGTH) {
    fail(
      'BD_TEMPLATE_UNSAFE',
      `template ${template.name} renders ${body.length} characters; at most ` +
        `${OUTPUT_MAX_LENGTH} are accepted`,
      'template',
    );
  }
  return { subject, body };
}

function parse(source: string, name: string): Template[] {
  try {
    return liquid.parse(source);
  } catch (err) {
    throw toTemplateError(err, name);
  }
}

function run(template: Template[], scope: object, name: string): string {
  try {
    return String(liquid.renderSync(template, scope));
  } catch (err) {
    throw toTemplateError(err, name);
  }
}

// Analysis sees every branch, so an unknown name is refused even where rendering would skip it.
function checkVariables(template: CompiledTemplate): void {
  const known = new Set<string>(VIEW_VARIABLES);
  for (const part of [template.subject, template.body]) {
    for (const path of liquid.globalFullVariablesSync(part)) {
      // A computed name (tenant[k]) could spell a prototype property the scan cannot see.
      if (path.includes('[')) {
        fail(
          'BD_TEMPLATE_UNSAFE',
          `template ${template.name} computes a property name (${path}); use the documented fields`,
          'template',
        );
      }
      const [root, field] = path.split('.');
      if (root === undefined || !known.has(root)) {
        fail(
          'BD_TEMPLATE_INVALID',
          `template ${template.name} uses unknown variable "${root ?? path}"; known: ` +
            `${VIEW_VARIABLES.join(', ')}`,
          'template',
        );
      }
      if (root === 'follow_up' && field !== undefined && !FOLLOW_UP_FIELDS.includes(field)) {
        fail(
          'BD_TEMPLATE_INVALID',
          `template ${template.name} uses unknown field follow_up.${field}; known: ` +
            `${FOLLOW_UP_FIELDS.join(', ')}`,
          'template',
        );
      }
    }
  }
}

function toTemplateError(err: unknown, name: string): Error {
  const message = err instanceof Error ? err.message : String(err);

  const fileTag = FILE_TAGS.find((t) => message.includes(`tag "${t}" not found`));
  if (fileTag) {
    return templateError(
      'BD_TEMPLATE_UNSAFE',
      `template ${name} uses {% ${fileTag} %}; templates cannot read other files`,
    );
  }
  if (/limit exceeded/.test(message)) {
    return templateError(
      'BD_TEMPLATE_UNSAFE',
      `template ${name} exceeds a resource limit (${message}); keep loops and output small`,
    );
  }
  if (err instanceof LiquidError || (err instanceof Error && err.name === 'AssertionError')) {
    return templateError('BD_TEMPLATE_INVALID', `template ${name}: ${message}`);
  }
  return err instanceof Error ? err : new Error(message);
}

function templateError(code: 'BD_TEMPLATE_UNSAFE' | 'BD_TEMPLATE_INVALID', message: string) {
  return new BreachdeskError(code, message, 'template');
}
