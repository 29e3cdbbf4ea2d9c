/**
 * Rendering a notice: facts in, subject, body and body hash out, through the audience's
 * template in each language its recipients read. The rules no template can drop are applied
 * here, after the template: the subject is one line and capped, control characters are
 * removed, and a red-team exercise is marked `[EXERCISE]` in the subject and at both ends of
 * the body (DESIGN.md §1.1).
 */
import { createHash } from 'node:crypto';
import { markSubject, type NoticeFacts, plainText } from '../domain/notice-content.ts';
import { validateNoticeFacts } from '../domain/notice-content.ts';
import { type CompiledTemplate, renderTemplate } from './templates/engine.ts';
import { type NoticeAudience, shippedTemplate } from './templates/loader.ts';
import { buildView } from './templates/view.ts';
import { LANGUAGES, type Language, toLanguage, vocabulary } from './templates/vocabulary.ts';

/** What a notice row stores: exactly the text that is sent, and its hash. */
export interface NoticeRendering {
  /** The first language: the subject's, and the one stored in notices.language. */
  language: Language;
  languages: Language[];
  subject: string;
  body: string;
  bodySha256: string;
}

export interface RenderRequest {
  audience: NoticeAudience;
  /** Facts as stored or given; validated here (BD_NOTICE_FACTS_INVALID). */
  facts: unknown;
  /** One or more languages, the first one leading; see chooseLanguages. */
  languages: readonly Language[];
  /** A user template used instead of the shipped one, for every language given. */
  template?: CompiledTemplate;
}

/** Renders a notice. Pure apart from reading the shipped templates once. */
export function renderNotice(request: RenderRequest): NoticeRendering {
  const facts = validateNoticeFacts(request.facts);
  const languages = [...new Set(request.languages)];
  const [lead] = languages;
  if (lead === undefined) throw new Error('renderNotice needs at least one language');

  const versions = languages.map((language) => {
    const template = request.template ?? shippedTemplate(request.audience, language);
    const { subject, body } = renderTemplate(template, buildView(facts, language));
    return { language, subject, body: tidy(body) };
  });

  const sections = versions.map((v, i) =>
    i === 0 ? v.body : `${versionHeading(v.language)}\n\n${v.body}`,
  );
  const body = withExerciseBanners(sections.join('\n\n'), facts, languages);
  return {
    language: lead,
    languages,
    subject: markSubject(versions[0]?.subject ?? '', facts.exercise),
    body,
    bodySha256: sha256(body),
  };
}

/**
 * The languages a notice is written in, leading language first. Each recipient's language
 * counts (falling back to the tenant's, then English, when it is missing or not one we have
 * templates for); the tenant's language leads when a recipient reads it, else the most
 * common one. The notice carries one version per language, so every contact finds theirs.
 */
export function chooseLanguages(
  recipientLanguages: readonly (string | null)[],
  tenantLanguage: string | null,
): Language[] {
  const fallback = toLanguage(tenantLanguage) ?? 'en';
  const wanted = recipientLanguages.map((l) => toLanguage(l) ?? fallback);
  if (wanted.length === 0) return [fallback];

  const counts = new Map<Language, number>();
  for (const l of wanted) counts.set(l, (counts.get(l) ?? 0) + 1);
  const byUse = LANGUAGES.filter((l) => counts.has(l)).sort(
    (a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0),
  );
  const lead = counts.has(fallback) ? fallback : (byUse[0] ?? fallback);

  return [lead, ...byUse.filter((l) => l !== lead)];
}

/** SHA-256 of the body as sent (UTF-8), lower-case hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Facts for previews when none are given: a plausible breach, marked as a sample. */
export const SAMPLE_FACTS: NoticeFacts = {
  investigationRef: 'INV-0',
  tenantName: 'Sample Customer Ltd',
  nature: null,
  dataCategories: ['names', 'e-mail addresses'],
  approxSubjects: 1200,
  approxRecords: 45000,
  firstAccess: '2026-05-01T08:00:00Z',
  lastAccess: '2026-05-02T17:30:00Z',
  awareAt: '2026-05-03T09:15:00Z',
  declaredAt: '2026-05-03T14:00:00Z',
  contactPoint: { name: 'Security Response Team', email: 'security@breachdesk.invalid' },
  likelyConsequences: null,
  measures: null,
  exercise: false,
  access: {
    events: 312,
    objects: 45000,
    resources: 2,
    actions: ['GetObject', 'ListObjects'],
    detectedAs: 'sample: unusual object reads from a storage bucket',
  },
  delayReasons: null,
  followUp: null,
};

// Templates are written for reading; trailing spaces and runs of blank lines left by
// conditional blocks are layout noise, not content.
function tidy(body: string): string {
  return plainText(body)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function versionHeading(language: Language): string {
  const title = vocabulary(language).versionHeading;
  const rule = '='.repeat(title.length);
  return `${rule}\n${title}\n${rule}`;
}

function withExerciseBanners(body: string, facts: NoticeFacts, languages: Language[]): string {
  if (!facts.exercise) return `${body}\n`;

  const banner = languages.map((l) => vocabulary(l).exerciseBanner).join('\n');
  return `${banner}\n\n${body}\n\n${banner}\n`;
}
