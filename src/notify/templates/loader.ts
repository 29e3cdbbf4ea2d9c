/**
 * The templates Breachdesk ships: one file per audience and language in this folder, named
 * `<audience>.<language>.liquid`. They are read once, parsed with the same strict engine as
 * user templates, and kept.
 */
import { readFileSync } from 'node:fs';
import { type CompiledTemplate, compileTemplate } from './engine.ts';
import type { Language } from './vocabulary.ts';

/**
 * Who a notice is for: the tenant's breach contacts, the provider's account team for that
 * tenant, a supervisory authority (GDPR Art. 33) and data subjects (Art. 34).
 */
export const NOTICE_AUDIENCES = ['tenant', 'account_team', 'authority', 'data_subject'] as const;
export type NoticeAudience = (typeof NOTICE_AUDIENCES)[number];

const cache = new Map<string, CompiledTemplate>();

/** The source text of a shipped template, e.g. for an editor to start from. */
export function shippedTemplateSource(audience: NoticeAudience, language: Language): string {
  const file = new URL(`./${audience}.${language}.liquid`, import.meta.url);
  return readFileSync(file, 'utf8');
}

/** The parsed shipped template for an audience and language. */
export function shippedTemplate(audience: NoticeAudience, language: Language): CompiledTemplate {
  const key = `${audience}.${language}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const compiled = compileTemplate(shippedTemplateSource(audience, language), key);
  cache.set(key, compiled);
  return compiled;
}
