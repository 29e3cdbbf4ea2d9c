/**
 * The words code puts into a notice in each language: numbers, "not yet known", the default
 * paragraphs used when the incident manager gave none, and the exercise banner. Templates
 * hold the rest of the wording. The German and French texts were written for Breachdesk in
 * the formal register (Sie / vous), using the terms of the GDPR's official language versions
 * ("Verletzung des Schutzes personenbezogener Daten", "violation de données à caractère
 * personnel").
 */
import { EXERCISE_PREFIX } from '../../domain/notice-content.ts';
import type { AccessSummary } from '../../domain/notice-content.ts';

/** Languages every audience has a template in. */
export const LANGUAGES = ['en', 'de', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Vocabulary {
  /** Name of the language in itself, for the heading of a second-language version. */
  versionHeading: string;
  notKnown: string;
  /** An approximate count, e.g. "about 1,200". */
  about(n: number): string;
  count(n: number): string;
  natureFromAccess(tenant: string, access: AccessSummary): string;
  defaultConsequences: string;
  defaultMeasures: string;
  exerciseBanner: string;
}

const numberFormats: Record<Language, Intl.NumberFormat> = {
  en: new Intl.NumberFormat('en-GB', { useGrouping: true }),
  de: new Intl.NumberFormat('de-DE', { useGrouping: true }),
  fr: new Intl.NumberFormat('fr-FR', { useGrouping: true }),
};

const list = (items: string[], none: string) => (items.length > 0 ? items.join(', ') : none);

// "1 object", "2 objects"; French also says "0 objet" (Intl knows each language's rule).
const pluralRules: Record<Language, Intl.PluralRules> = {
  en: new Intl.PluralRules('en'),
  de: new Intl.PluralRules('de'),
  fr: new Intl.PluralRules('fr'),
};

function counted(language: Language, n: number, one: string, other: string): string {
  const form = pluralRules[language].select(n) === 'one' ? one : other;
  return `${numberFormats[language].format(n)} ${form}`;
}

const VOCABULARIES: Record<Language, Vocabulary> = {
  en: {
    versionHeading: 'English version',
    notKnown: 'not yet known',
    about: (n) => `about ${numberFormats.en.format(n)}`,
    count: (n) => numberFormats.en.format(n),
    natureFromAccess: (tenant, a) =>
      `Unauthorised access to data held for ${tenant}: ` +
      `${counted('en', a.events, 'access event', 'access events')} by an unauthorised party ` +
      `(${list(a.actions, 'actions not yet known')}) touching ` +
      `${counted('en', a.objects, 'object', 'objects')} in ` +
      `${counted('en', a.resources, 'storage location', 'storage locations')}. ` +
      `Detected as: ${a.detectedAs}.`,
    defaultConsequences:
      'Data read by an unauthorised party may be disclosed or misused; the affected records ' +
      'should be reviewed for personal data and for credentials that need rotating.',
    defaultMeasures:
      'The credentials used were revoked and the access path closed. The investigation ' +
      'continues; a follow-up notice will carry its findings.',
    exerciseBanner:
      `${EXERCISE_PREFIX} This message is part of a red-team exercise. It does not report a ` +
      'real personal data breach and requires no action outside the exercise.',
  },
  de: {
    versionHeading: 'Deutsche Fassung',
    notKnown: 'noch nicht bekannt',
    about: (n) => `etwa ${numberFormats.de.format(n)}`,
    count: (n) => numberFormats.de.format(n),
    natureFromAccess: (tenant, a) =>
      `Unbefugter Zugriff auf Daten, die für ${tenant} gespeichert sind: ` +
      `${counted('de', a.events, 'Zugriff', 'Zugriffe')} durch eine unbefugte Stelle ` +
      `(${list(a.actions, 'Vorgänge noch nicht bekannt')}) auf ` +
      `${counted('de', a.objects, 'Objekt', 'Objekte')} an ` +
      `${counted('de', a.resources, 'Speicherort', 'Speicherorten')}. ` +
      `Erkannt als: ${a.detectedAs}.`,
    defaultConsequences:
      'Daten, die eine unbefugte Stelle gelesen hat, können offengelegt oder missbraucht ' +
      'werden. Die betroffenen Datensätze sollten darauf geprüft werden, ob sie ' +
      'personenbezogene Daten oder Zugangsdaten enthalten, die ersetzt werden müssen.',
    defaultMeasures:
      'Die verwendeten Zugangsdaten wurden gesperrt und der Zugriffsweg wurde geschlossen. ' +
      'Die Untersuchung dauert an; ihre Ergebnisse teilen wir Ihnen in einer Folgemeldung mit.',
    exerciseBanner:
      `${EXERCISE_PREFIX} Diese Nachricht ist Teil einer Red-Team-Übung. Sie meldet keine ` +
      'tatsächliche Verletzung des Schutzes personenbezogener Daten und erfordert kein ' +
      'Handeln außerhalb der Übung.',
  },
  fr: {
    versionHeading: 'Version française',
    notKnown: 'pas encore connu',
    about: (n) => `environ ${numberFormats.fr.format(n)}`,
    count: (n) => numberFormats.fr.format(n),
    natureFromAccess: (tenant, a) =>
      `Accès non autorisé à des données conservées pour ${tenant} : ` +
      `${counted('fr', a.events, 'accès', 'accès')} par un tiers non autorisé ` +
      `(${list(a.actions, 'opérations pas encore connues')}) portant sur ` +
      `${counted('fr', a.objects, 'objet', 'objets')} dans ` +
      `${counted('fr', a.resources, 'emplacement de stockage', 'emplacements de stockage')}. ` +
      `Détecté comme : ${a.detectedAs}.`,
    defaultConsequences:
      'Des données lues par un tiers non autorisé peuvent être divulguées ou utilisées de ' +
      'manière abusive. Il convient d’examiner les enregistrements concernés afin d’y repérer ' +
      'les données à caractère personnel et les identifiants qui doivent être renouvelés.',
    defaultMeasures:
      'Les identifiants utilisés ont été révoqués et la voie d’accès a été fermée. L’enquête ' +
      'se poursuit ; une notification complémentaire vous en communiquera les conclusions.',
    exerciseBanner:
      `${EXERCISE_PREFIX} Ce message fait partie d’un exercice de red team. Il ne signale ` +
      'aucune violation réelle de données à caractère personnel et n’appelle aucune action ' +
      'en dehors de l’exercice.',
  },
};

/** The vocabulary of a supported language. */
export function vocabulary(language: Language): Vocabulary {
  return VOCABULARIES[language];
}

/**
 * Reads a stored language tag (`de`, `de-CH`, `FR_fr`) as one of ours, or null when we have
 * no templates in it.
 */
export function toLanguage(tag: string | null | undefined): Language | null {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : null;
}
