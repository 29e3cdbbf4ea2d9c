/**
 * The shared vocabulary of Breachdesk. Pure types only: every layer imports from here,
 * nothing here imports from any other layer.
 */

/** DESIGN.md §1.1: the six kinds of source an investigation can come from. */
export const SOURCE_KINDS = [
  'automated_alert',
  'internal_report',
  'vulnerability_report',
  'customer_report',
  'red_team',
  'operator_escalation',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** DESIGN.md §1.2: detect → assess → diagnose ⇄ stabilize → close. */
export const STAGES = ['detect', 'assess', 'diagnose', 'stabilize', 'close'] as const;
export type Stage = (typeof STAGES)[number];

/** DESIGN.md §1.4, plus the non-event that lets assess close an investigation. */
export const CLASSIFICATIONS = [
  'false_positive',
  'not_security_event',
  'security_incident',
  'privacy_incident',
  'crsi',
  'customer_responsibility',
] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An investigation's normalised view of one incoming signal, produced by an intake adapter. */
export interface NormalizedSignal {
  /** Adapter id: 'suricata' | 'wazuh' | 'generic' | … */
  format: string;
  sourceKind: SourceKind;
  /** The sender's own id for the event, when it has one (used for idempotency later). */
  sourceEventId: string | null;
  /** UTC instant, ISO 8601 with a trailing Z. */
  occurredAt: string;
  /** The timestamp exactly as the sender wrote it. */
  originalTimestamp: string;
  title: string;
  /** Sender's severity mapped onto ours; the responder still rates the investigation. */
  severity: Severity;
  /** Key fields that identify "the same thing happening again"; hashed into the fingerprint. */
  fingerprint: string;
  host: string | null;
  sourceIp: string | null;
  destinationIp: string | null;
  principal: string | null;
  /** Set for red-team exercise signals; everything downstream is then an exercise. */
  exerciseId: string | null;
  /** Canonical indicators named in the record (addresses, domains, hashes, …), merged. */
  observables: Observable[];
  /** The record as received, kept as evidence. */
  raw: unknown;
}

/** Kinds of indicator intake extracts from a signal (issue 4 §2). */
export const OBSERVABLE_KINDS = [
  'ip',
  'cidr',
  'domain',
  'url',
  'email',
  'hash',
  'principal',
  'resource',
  'cve',
] as const;
export type ObservableKind = (typeof OBSERVABLE_KINDS)[number];

/**
 * One indicator in canonical form, so that the same address written two ways compares equal.
 * `display` keeps a human form where it differs (a domain's Unicode spelling).
 */
export interface Observable {
  kind: ObservableKind;
  value: string;
  display?: string;
  /** Roles the indicator plays in the record (`source`, `destination`, `sha256`, …). */
  tags: string[];
}

/** Roles a caller can hold. One policy module (src/auth) decides what each may do. */
export const ROLES = [
  'admin',
  'incident_manager',
  'executive_incident_manager',
  'responder',
  'investigator',
  'legal',
  'auditor',
  'account_team',
  'tenant_admin',
  'reporter',
] as const;
export type Role = (typeof ROLES)[number];
