/**
 * The one PostgreSQL schema, shared by PGlite and a real server. Migrations in drizzle/ are
 * generated from this file with `npm run db:generate`; keep to PostgreSQL 15 SQL.
 * Ids are made in the app (UUID v7), so no server-side id functions are needed.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { ScopeActivity } from '../scoping/types.ts';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  language: text('language').notNull().default('en'),
  contractHours: integer('contract_hours'),
  jurisdictions: jsonb('jurisdictions').$type<string[]>().notNull().default([]),
  // Drives which regimes apply (e.g. 'finance' brings DORA, 'health' HIPAA); null = general.
  sector: text('sector'),
  createdAt: instant('created_at').notNull(),
});

export const tenantResources = pgTable(
  'tenant_resources',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    dataCategories: jsonb('data_categories').$type<string[]>().notNull().default([]),
  },
  (t) => [uniqueIndex('tenant_resources_kind_value').on(t.kind, t.value)],
);

export const breachContacts = pgTable(
  'breach_contacts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    language: text('language').notNull().default('en'),
    createdAt: instant('created_at').notNull(),
    // When the contact last opened a test e-mail's confirmation link (null: never, or the
    // address changed since).
    confirmedAt: instant('confirmed_at'),
  },
  (t) => [index('breach_contacts_tenant').on(t.tenantId)],
);

export const accountTeam = pgTable(
  'account_team',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    role: text('role').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
  },
  (t) => [index('account_team_tenant').on(t.tenantId)],
);

export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull(),
  role: text('role').notNull(),
  tenantId: text('tenant_id').references(() => tenants.id),
  createdAt: instant('created_at').notNull(),
  revokedAt: instant('revoked_at'),
  // Null only on tokens issued before expiry existed; new tokens always get one.
  expiresAt: instant('expires_at'),
});

/** Local accounts (docs/sign-in.md). The email is stored lower-cased and is the sign-in name. */
export const people = pgTable('people', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role').notNull(),
  // Set for tenant admins only: the one tenant they may see.
  tenantId: text('tenant_id').references(() => tenants.id),
  // argon2id PHC string; null until a password is set.
  passwordHash: text('password_hash'),
  // SHA-256 of the outstanding one-time set-password token, if any.
  setPasswordTokenHash: text('set_password_token_hash').unique(),
  setPasswordExpiresAt: instant('set_password_expires_at'),
  createdAt: instant('created_at').notNull(),
  disabledAt: instant('disabled_at'),
});

/**
 * Browser sessions. The id is the SHA-256 of the cookie's token, so a copy of this table signs
 * nobody in.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    createdAt: instant('created_at').notNull(),
    lastSeenAt: instant('last_seen_at').notNull(),
    // Absolute end, whatever the activity.
    expiresAt: instant('expires_at').notNull(),
    idleTimeoutSeconds: integer('idle_timeout_seconds').notNull(),
    csrfTokenHash: text('csrf_token_hash').notNull(),
    revokedAt: instant('revoked_at'),
    userAgent: text('user_agent'),
    address: text('address'),
  },
  (t) => [index('sessions_person').on(t.personId)],
);

export const investigations = pgTable(
  'investigations',
  {
    id: text('id').primaryKey(),
    number: serial('number').notNull().unique(),
    title: text('title').notNull(),
    stage: text('stage').notNull(),
    sourceKind: text('source_kind').notNull(),
    fingerprint: text('fingerprint').notNull(),
    exerciseId: text('exercise_id'),
    signalCount: integer('signal_count').notNull().default(1),
    duplicateCount: integer('duplicate_count').notNull().default(0),
    firstSeen: instant('first_seen').notNull(),
    lastSeen: instant('last_seen').notNull(),
    severity: text('severity').notNull(),
    priority: text('priority'),
    rating: jsonb('rating'),
    classification: text('classification'),
    rootCause: text('root_cause'),
    declaration: jsonb('declaration'),
    awareAt: instant('aware_at'),
    declaredAt: instant('declared_at'),
    // Moments some regimes run from: SEC 8-K from the materiality determination, DORA from
    // classification as major, NYDFS and the US bank rule from determination.
    determinedAt: instant('determined_at'),
    classifiedAt: instant('classified_at'),
    regimeOverrides: jsonb('regime_overrides'),
    postmortem: jsonb('postmortem'),
    openedAt: instant('opened_at').notNull(),
    closedAt: instant('closed_at'),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [index('investigations_open_fingerprint').on(t.fingerprint, t.stage)],
);

export const ratings = pgTable('ratings', {
  id: text('id').primaryKey(),
  investigationId: text('investigation_id')
    .notNull()
    .references(() => investigations.id),
  rating: jsonb('rating').notNull(),
  actor: text('actor').notNull(),
  reason: text('reason'),
  at: instant('at').notNull(),
});

export const transitions = pgTable('transitions', {
  id: text('id').primaryKey(),
  investigationId: text('investigation_id')
    .notNull()
    .references(() => investigations.id),
  fromStage: text('from_stage').notNull(),
  toStage: text('to_stage').notNull(),
  actor: text('actor').notNull(),
  reason: text('reason').notNull(),
  at: instant('at').notNull(),
});

export const signals = pgTable(
  'signals',
  {
    id: text('id').primaryKey(),
    // Null only for a suppressed signal: it is stored and counted but opens nothing.
    investigationId: text('investigation_id').references(() => investigations.id),
    duplicate: boolean('duplicate').notNull(),
    format: text('format').notNull(),
    // The sender: the format, or a configured source name. With sourceEventId it makes the
    // idempotency key — the same event sent twice is stored once.
    source: text('source'),
    sourceKind: text('source_kind').notNull(),
    sourceEventId: text('source_event_id'),
    fingerprint: text('fingerprint').notNull(),
    occurredAt: instant('occurred_at').notNull(),
    originalTimestamp: text('original_timestamp').notNull(),
    receivedAt: instant('received_at').notNull(),
    title: text('title').notNull(),
    severity: text('severity').notNull(),
    host: text('host'),
    sourceIp: text('source_ip'),
    destinationIp: text('destination_ip'),
    principal: text('principal'),
    tenantId: text('tenant_id'),
    // Who reported it, for internal, customer and escalation reports (null for alerts).
    reporter: text('reporter'),
    exerciseId: text('exercise_id'),
    // The reference given to an outside reporter (e-mail acknowledgement, customer report).
    reference: text('reference').unique(),
    suppressedBy: text('suppressed_by'),
    observables: jsonb('observables').notNull().default([]),
    raw: jsonb('raw').notNull(),
  },
  (t) => [
    index('signals_investigation').on(t.investigationId),
    uniqueIndex('signals_source_event')
      .on(t.source, t.sourceEventId)
      .where(sql`${t.sourceEventId} IS NOT NULL`),
    index('signals_suppressed_by').on(t.suppressedBy),
  ],
);

/**
 * What correlation looks up: per open investigation, the keys its signals carried (their
 * fingerprints, and the entities — host, principal, tenant — they named), with the value of
 * the distinguishing field that keeps otherwise related signals apart.
 */
export const correlationKeys = pgTable(
  'correlation_keys',
  {
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    distinctKey: text('distinct_key').notNull().default(''),
    lastSeen: instant('last_seen').notNull(),
    firstSeen: instant('first_seen').notNull(),
  },
  (t) => [uniqueIndex('correlation_keys_pk').on(t.kind, t.value, t.distinctKey, t.investigationId)],
);

/** A false positive's rule: matching signals are stored and counted but page no one. */
export const suppressionRules = pgTable('suppression_rules', {
  id: text('id').primaryKey(),
  match: jsonb('match').notNull(),
  owner: text('owner').notNull(),
  reason: text('reason').notNull(),
  expiresAt: instant('expires_at').notNull(),
  investigationId: text('investigation_id').references(() => investigations.id),
  createdBy: text('created_by').notNull(),
  createdAt: instant('created_at').notNull(),
  revokedAt: instant('revoked_at'),
  revokedBy: text('revoked_by'),
});

/** Files that came with a signal (e-mail attachments), kept as evidence with their hash. */
export const evidenceFiles = pgTable(
  'evidence_files',
  {
    id: text('id').primaryKey(),
    signalId: text('signal_id')
      .notNull()
      .references(() => signals.id),
    investigationId: text('investigation_id').references(() => investigations.id),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    // Base64: PGlite and node-postgres agree on text, and evidence files are small (the
    // e-mail listener's size limit bounds them).
    contentBase64: text('content_base64').notNull(),
    receivedAt: instant('received_at').notNull(),
  },
  (t) => [index('evidence_files_signal').on(t.signalId)],
);

export const scopingRuns = pgTable('scoping_runs', {
  id: text('id').primaryKey(),
  investigationId: text('investigation_id')
    .notNull()
    .references(() => investigations.id),
  format: text('format').notNull(),
  paths: jsonb('paths').$type<string[]>().notNull(),
  indicators: jsonb('indicators').notNull(),
  summary: jsonb('summary').notNull(),
  actor: text('actor').notNull(),
  at: instant('at').notNull(),
});

export const scopedTenants = pgTable(
  'scoped_tenants',
  {
    scopingRunId: text('scoping_run_id')
      .notNull()
      .references(() => scopingRuns.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    events: integer('events').notNull(),
    resources: integer('resources').notNull(),
    objects: integer('objects').notNull(),
    subjects: integer('subjects'),
    firstAccess: instant('first_access').notNull(),
    lastAccess: instant('last_access').notNull(),
    actions: jsonb('actions').$type<string[]>().notNull(),
    sampleObjects: jsonb('sample_objects').$type<string[]>().notNull(),
    touchedResources: jsonb('touched_resources').$type<string[]>().notNull().default([]),
    // Events over time (src/scoping/types.ts ScopeActivity); null for runs stored before it.
    activity: jsonb('activity').$type<ScopeActivity>(),
  },
  (t) => [uniqueIndex('scoped_tenants_run_tenant').on(t.scopingRunId, t.tenantId)],
);

export const clocks = pgTable(
  'clocks',
  {
    id: text('id').primaryKey(),
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    regime: text('regime').notNull(),
    filing: text('filing').notNull(),
    // '' for a clock that is not per tenant, so that the unique key also holds for those.
    tenantKey: text('tenant_key').notNull(),
    recipient: text('recipient').notNull().default(''),
    startsAt: instant('starts_at'),
    // Null for duties "without undue delay", which have no date but block closing.
    due: instant('due'),
    source: text('source').notNull(),
    // to_decide | required | not_required | met
    status: text('status').notNull().default('required'),
    decision: jsonb('decision'),
    metAt: instant('met_at'),
    // First moment the filing was seen late; never cleared, even if the anchor is corrected.
    lateSince: instant('late_since'),
    remindersSent: jsonb('reminders_sent').$type<number[]>().notNull().default([]),
    updatedAt: instant('updated_at'),
  },
  (t) => [uniqueIndex('clocks_unique').on(t.investigationId, t.regime, t.filing, t.tenantKey)],
);

export const notices = pgTable(
  'notices',
  {
    id: text('id').primaryKey(),
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    audience: text('audience').notNull(),
    // GDPR Art. 33(4): information may follow in phases; 1 is the initial notice.
    phase: integer('phase').notNull().default(1),
    followsNoticeId: text('follows_notice_id'),
    language: text('language').notNull().default('en'),
    status: text('status').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    bodySha256: text('body_sha256').notNull(),
    facts: jsonb('facts').notNull(),
    exercise: boolean('exercise').notNull(),
    createdAt: instant('created_at').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: instant('approved_at'),
  },
  (t) => [
    uniqueIndex('notices_one_per_phase').on(t.investigationId, t.tenantId, t.audience, t.phase),
  ],
);

export const outbox = pgTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    noticeId: text('notice_id')
      .notNull()
      .references(() => notices.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    recipientKind: text('recipient_kind').notNull(),
    recipientId: text('recipient_id').notNull(),
    recipientName: text('recipient_name').notNull(),
    recipientEmail: text('recipient_email').notNull(),
    messageId: text('message_id').notNull().unique(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull(),
    // A worker that claimed the row and died leaves it 'sending'; after the lease it is retried.
    leaseUntil: instant('lease_until'),
    lastResponse: text('last_response'),
    sentAt: instant('sent_at'),
    // An asynchronous bounce (delivery status notification) matched by Message-ID.
    bouncedAt: instant('bounced_at'),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [
    index('outbox_due').on(t.status, t.nextAttemptAt),
    uniqueIndex('outbox_notice_recipient').on(t.noticeId, t.recipientId),
  ],
);

export const auditLog = pgTable('audit_log', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  at: text('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  // Canonical JSON text, not jsonb: jsonb reorders keys and would change what was hashed.
  data: text('data').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * DESIGN.md §1.6: a notice held back, effective only with both a legal and an executive
 * approval.
 */
export const holds = pgTable(
  'holds',
  {
    id: text('id').primaryKey(),
    noticeId: text('notice_id')
      .notNull()
      .references(() => notices.id),
    ground: text('ground').notNull(),
    reason: text('reason').notNull(),
    reviewAt: instant('review_at').notNull(),
    requestedBy: text('requested_by').notNull(),
    createdAt: instant('created_at').notNull(),
    legalApprover: text('legal_approver'),
    legalApprovedAt: instant('legal_approved_at'),
    executiveApprover: text('executive_approver'),
    executiveApprovedAt: instant('executive_approved_at'),
    releasedAt: instant('released_at'),
    releasedBy: text('released_by'),
    releaseReason: text('release_reason'),
  },
  (t) => [index('holds_notice').on(t.noticeId)],
);

/**
 * Messages to the response team itself (deadline reminders, missed-deadline escalations,
 * bounce and not-notified alerts). Shown on the investigation; mailed to the incident
 * manager's address when one is configured.
 */
export const staffAlerts = pgTable(
  'staff_alerts',
  {
    id: text('id').primaryKey(),
    // reminder | escalation | delivery_failed | not_notified
    kind: text('kind').notNull(),
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    clockId: text('clock_id'),
    outboxId: text('outbox_id'),
    // Deduplicates: the same alert is raised once (e.g. 'reminder:<clock>:75').
    dedupKey: text('dedup_key').notNull().unique(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdAt: instant('created_at').notNull(),
    // queued | sending (claimed; sent_at = claim time) | sent | failed
    // | none (no address configured)
    status: text('status').notNull(),
    sentAt: instant('sent_at'),
    lastResponse: text('last_response'),
  },
  (t) => [index('staff_alerts_investigation').on(t.investigationId)],
);

/**
 * The people working an investigation. Only they, incident managers and auditors read its
 * post-mortem. A removal keeps the row (removedAt) so that who was on the team stays known.
 */
export const investigationTeam = pgTable(
  'investigation_team',
  {
    id: text('id').primaryKey(),
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    // lead | member
    teamRole: text('team_role').notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: instant('added_at').notNull(),
    removedBy: text('removed_by'),
    removedAt: instant('removed_at'),
  },
  (t) => [
    index('investigation_team_investigation').on(t.investigationId),
    uniqueIndex('investigation_team_current')
      .on(t.investigationId, t.personId)
      .where(sql`removed_at is null`),
  ],
);

/**
 * The customer-facing summary of a post-mortem: a separate text, written apart from the
 * confidential post-mortem, that goes into a follow-up notice only once approved. Each edit is
 * a new row; the newest approved row is the one used.
 */
export const customerSummaries = pgTable(
  'customer_summaries',
  {
    id: text('id').primaryKey(),
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    body: text('body').notNull(),
    bodySha256: text('body_sha256').notNull(),
    writtenBy: text('written_by').notNull(),
    writtenAt: instant('written_at').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: instant('approved_at'),
  },
  (t) => [index('customer_summaries_investigation').on(t.investigationId)],
);

/**
 * An incident manager's written approval for evidence to leave the system: who, when, what,
 * why and for whom. An export names the approval it was made under.
 */
export const evidenceApprovals = pgTable(
  'evidence_approvals',
  {
    id: text('id').primaryKey(),
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    approvedBy: text('approved_by').notNull(),
    approvedAt: instant('approved_at').notNull(),
    // What may go: kinds of evidence and, where given, the ids of single items.
    scope: jsonb('scope').notNull(),
    reason: text('reason').notNull(),
    recipient: text('recipient').notNull(),
    expiresAt: instant('expires_at').notNull(),
    revokedBy: text('revoked_by'),
    revokedAt: instant('revoked_at'),
  },
  (t) => [index('evidence_approvals_investigation').on(t.investigationId)],
);

/** Each evidence package that left, with the manifest of what was in it. */
export const evidenceExports = pgTable(
  'evidence_exports',
  {
    id: text('id').primaryKey(),
    approvalId: text('approval_id')
      .notNull()
      .references(() => evidenceApprovals.id),
    investigationId: text('investigation_id')
      .notNull()
      .references(() => investigations.id),
    actor: text('actor').notNull(),
    at: instant('at').notNull(),
    manifest: jsonb('manifest').notNull(),
    manifestSha256: text('manifest_sha256').notNull(),
  },
  (t) => [index('evidence_exports_investigation').on(t.investigationId)],
);

/** One completed training: a person, a topic at a version, when, and who recorded it. */
export const trainingCompletions = pgTable(
  'training_completions',
  {
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    topic: text('topic').notNull(),
    topicVersion: text('topic_version').notNull(),
    completedAt: instant('completed_at').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    note: text('note'),
  },
  (t) => [index('training_completions_person').on(t.personId, t.topic)],
);

/** Who is on call when. Putting someone untrained or overdue on call warns (docs/training.md). */
export const onCallShifts = pgTable(
  'on_call_shifts',
  {
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    startsAt: instant('starts_at').notNull(),
    endsAt: instant('ends_at').notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: instant('added_at').notNull(),
    removedBy: text('removed_by'),
    removedAt: instant('removed_at'),
  },
  (t) => [index('on_call_shifts_person').on(t.personId)],
);

/**
 * OpenID Connect sign-ins under way: the id is the SHA-256 of the `state` sent to the provider
 * (the browser holds the state in a cookie), with the PKCE verifier and nonce that the
 * callback needs. Each is used once and lives ten minutes.
 */
export const oidcLogins = pgTable('oidc_logins', {
  id: text('id').primaryKey(),
  codeVerifier: text('code_verifier').notNull(),
  nonce: text('nonce').notNull(),
  createdAt: instant('created_at').notNull(),
  expiresAt: instant('expires_at').notNull(),
  usedAt: instant('used_at'),
});

/**
 * Test e-mails to breach contacts, each with a one-time confirmation link
 * (src/tenants/contact-confirmations.ts). Only the token's SHA-256 is kept for lookup; the
 * token itself waits in `pending_token` until the worker hands the message over, then is
 * cleared. No foreign key to the contact: a tenant import may replace contacts.
 */
export const contactConfirmations = pgTable(
  'contact_confirmations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    contactId: text('contact_id').notNull(),
    // The address the link was sent to: it confirms that address, not a later one.
    email: text('email').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    pendingToken: text('pending_token'),
    requestedBy: text('requested_by').notNull(),
    createdAt: instant('created_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
    // queued | sending (claimed; claimed_at) | sent | failed | withdrawn (contact gone)
    status: text('status').notNull(),
    claimedAt: instant('claimed_at'),
    sentAt: instant('sent_at'),
    lastResponse: text('last_response'),
  },
  (t) => [
    index('contact_confirmations_contact').on(t.contactId, t.createdAt),
    index('contact_confirmations_status').on(t.status),
    // The per-tenant rate limit on test e-mails reads a tenant's recent requests.
    index('contact_confirmations_tenant').on(t.tenantId, t.createdAt),
  ],
);
