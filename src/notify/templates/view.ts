/**
 * The variables a notice template sees. Every value is a ready-made string (or a number, a
 * boolean, null) in the notice's language, already cleaned of control characters, so a
 * template can only arrange text, never compute with the facts or reach past them.
 */
import { type NoticeFacts, oneLine, plainText } from '../../domain/notice-content.ts';
import { type Language, vocabulary } from './vocabulary.ts';

/** What `follow_up` holds on phase 2 and later. */
export interface FollowUpView {
  what: string;
  initial_ref: string;
  initial_date: string;
  initial_id: string;
  previous_ref: string;
  previous_date: string;
  previous_id: string;
  previous_phase: number;
}

/** The template variables; docs/templates.md describes each. */
export interface TemplateView {
  language: Language;
  ref: string;
  tenant: string;
  nature: string;
  categories: string;
  subjects: string;
  records: string;
  first_access: string;
  last_access: string;
  aware_at: string;
  declared_at: string;
  contact_name: string;
  contact_email: string;
  consequences: string;
  measures: string;
  delay_reasons: string | null;
  phase: number;
  follow_up: FollowUpView | null;
  exercise: boolean;
  not_known: string;
}

/** Names a template may use at its top level; anything else is refused before rendering. */
export const VIEW_VARIABLES: readonly (keyof TemplateView)[] = [
  'language',
  'ref',
  'tenant',
  'nature',
  'categories',
  'subjects',
  'records',
  'first_access',
  'last_access',
  'aware_at',
  'declared_at',
  'contact_name',
  'contact_email',
  'consequences',
  'measures',
  'delay_reasons',
  'phase',
  'follow_up',
  'exercise',
  'not_known',
];

/** Builds the variables for `facts` (already validated, instants in UTC) in `language`. */
export function buildView(facts: NoticeFacts, language: Language): TemplateView {
  const words = vocabulary(language);
  const tenant = oneLine(facts.tenantName);
  const categories = facts.dataCategories.map(oneLine).filter((c) => c !== '');
  const followUp = facts.followUp ?? null;

  const natureDefault = facts.access
    ? words.natureFromAccess(tenant, {
        ...facts.access,
        actions: facts.access.actions.map(oneLine),
        detectedAs: oneLine(facts.access.detectedAs),
      })
    : words.notKnown;

  return {
    language,
    ref: oneLine(facts.investigationRef),
    tenant,
    nature: paragraph(facts.nature) ?? natureDefault,
    categories: categories.length > 0 ? categories.join(', ') : words.notKnown,
    subjects: facts.approxSubjects === null ? words.notKnown : words.about(facts.approxSubjects),
    records: words.about(facts.approxRecords),
    first_access: facts.firstAccess ?? words.notKnown,
    last_access: facts.lastAccess ?? words.notKnown,
    aware_at: facts.awareAt,
    declared_at: facts.declaredAt,
    contact_name: oneLine(facts.contactPoint.name),
    contact_email: oneLine(facts.contactPoint.email),
    consequences: paragraph(facts.likelyConsequences) ?? words.defaultConsequences,
    measures: paragraph(facts.measures) ?? words.defaultMeasures,
    delay_reasons: paragraph(facts.delayReasons ?? null),
    phase: followUp ? followUp.previous.phase + 1 : 1,
    follow_up: followUp && {
      what: paragraph(followUp.what) ?? words.notKnown,
      initial_ref: oneLine(followUp.initial.reference),
      initial_date: followUp.initial.issuedAt.slice(0, 10),
      initial_id: oneLine(followUp.initial.noticeId),
      previous_ref: oneLine(followUp.previous.reference),
      previous_date: followUp.previous.issuedAt.slice(0, 10),
      previous_id: oneLine(followUp.previous.noticeId),
      previous_phase: followUp.previous.phase,
    },
    exercise: facts.exercise,
    not_known: words.notKnown,
  };
}

function paragraph(value: string | null): string | null {
  if (value === null) return null;
  const text = plainText(value).trim();
  return text === '' ? null : text;
}
