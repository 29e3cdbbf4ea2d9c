/**
 * What counts as evidence (docs/evidence.md): the files that came with signals (e-mail
 * attachments), the signals' own records (log extracts) and the results of scoping runs.
 */
export const EVIDENCE_KINDS = ['files', 'signals', 'scoping'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** What an approval lets leave: kinds of evidence and, where given, only these items. */
export interface EvidenceScope {
  kinds: EvidenceKind[];
  /** Ids of evidence files, signals or scoping runs; absent means every item of the kinds. */
  itemIds?: string[];
}
