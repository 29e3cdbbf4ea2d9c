/**
 * The table of the policy (src/auth/policy.ts decides with it): one named action per thing
 * that can be done, the roles that may do it and how far each reaches. docs/permissions.md is
 * generated from it by scripts/permissions-doc.ts.
 */
import type { ErrorCode } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/types.ts';

/**
 * How far a role reaches with an action. `own_team`: only investigations whose current team
 * (src/investigations/team.ts) the caller is on, as a signed-in person.
 */
export type Scope = 'all' | 'own_tenant' | 'served_tenants' | 'own_records' | 'own_team';

/** Kinds of object a route names by id; a tenant user refused one is told it does not exist. */
export type ObjectKind =
  | 'investigation'
  | 'notice'
  | 'hold'
  | 'obligation'
  | 'report'
  | 'rule'
  | 'tenant'
  | 'contact'
  | 'token';

export interface ActionRule {
  /** What the action does, as "role X may not <summary>" reads. */
  summary: string;
  /** The object the action is about, when its routes name one by id. */
  object: ObjectKind | null;
  roles: Partial<Record<Role, Scope>>;
  /** The refusal's code when not BD_AUTH_FORBIDDEN (kept from before the policy existed). */
  code?: ErrorCode;
  /** Anyone may, signed in or not (health check, API description, signing in). */
  public?: true;
  /** Every refusal is audited as `access.denied`, the 403s too (confidential reads). */
  auditRefusals?: true;
}

function everywhere(...roles: Role[]): Partial<Record<Role, Scope>> {
  return Object.fromEntries(roles.map((r) => [r, 'all']));
}

function onTeam(...roles: Role[]): Partial<Record<Role, Scope>> {
  return Object.fromEntries(roles.map((r) => [r, 'own_team']));
}

const MANAGERS: Role[] = ['incident_manager', 'executive_incident_manager'];
// The people who work an investigation day to day.
const RESPONSE: Role[] = ['admin', 'responder', 'investigator', ...MANAGERS];
const DECIDERS: Role[] = [...MANAGERS, 'legal'];
// Everyone on the provider's side who reads investigations; auditors read only post-mortems,
// the audit log and notices (issue 5: "read-only: post-mortems, audit log, notices").
const READERS: Role[] = [...RESPONSE, 'legal'];
const NOTICE_READERS: Role[] = [...READERS, 'auditor'];
const DRAFTERS: Role[] = ['responder', 'investigator', ...MANAGERS, 'legal'];
const RULE_AUTHORS: Role[] = ['admin', ...MANAGERS, 'investigator'];
// The response side outside management: it reaches a post-mortem only through the team.
const TEAM_BOUND = onTeam('admin', 'responder', 'investigator', 'legal');

/** The whole policy. Adding a route means naming its action here first. */
export const POLICY = {
  'service.health': {
    summary: 'check that the service is up',
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'api.describe': {
    summary: 'read the OpenAPI description',
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'console.asset': {
    summary: 'load the web console page and its assets',
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'auth.login': {
    summary: 'sign in',
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'auth.set_password': {
    summary: 'set a password with a one-time token',
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'auth.methods': {
    summary: 'see how one may sign in here',
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'auth.oidc': {
    summary: 'sign in through the OpenID Connect provider',
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'auth.me': { summary: 'see who one is', object: null, roles: everywhere(...ROLES) },
  'auth.logout': { summary: 'sign out', object: null, roles: everywhere(...ROLES) },
  'intake.send': {
    summary: 'send alerts',
    object: null,
    roles: everywhere('admin', 'responder', 'investigator', 'incident_manager', 'reporter'),
  },
  'report.submit': {
    summary: 'file reports',
    object: null,
    roles: everywhere(...READERS, 'account_team', 'reporter'),
  },
  'report.customer.submit': {
    summary: 'file customer reports',
    object: null,
    roles: { tenant_admin: 'own_tenant' },
  },
  'report.read': {
    summary: 'read reports',
    object: 'report',
    roles: {
      ...everywhere(...READERS),
      tenant_admin: 'own_tenant',
      account_team: 'own_records',
      reporter: 'own_records',
    },
  },
  'investigation.read': {
    summary: 'read investigations',
    object: 'investigation',
    roles: everywhere(...READERS),
  },
  'metrics.read': { summary: 'read metrics', object: null, roles: everywhere(...READERS) },
  // Content-free "something changed" signals for the console: each reader then refetches
  // only what its own actions allow, so every role that uses the console may listen.
  'events.read': {
    summary: 'listen for change signals (no content)',
    object: null,
    // Not tenant admins: the signals are system-wide, and how busy the provider is is not
    // theirs to watch. Their portal refetches on its own instead.
    roles: everywhere(...NOTICE_READERS),
  },
  'investigation.move': {
    summary: 'move investigations',
    object: 'investigation',
    roles: everywhere(...RESPONSE),
  },
  'rating.write': {
    summary: 'rate investigations',
    object: 'investigation',
    roles: everywhere(...RESPONSE),
  },
  'classification.write': {
    summary: 'classify investigations',
    object: 'investigation',
    roles: everywhere(...RESPONSE),
  },
  'crsi.declare': {
    summary: 'declare a CRSI',
    object: 'investigation',
    roles: everywhere(...MANAGERS),
    code: 'BD_DECLARE_FORBIDDEN_ROLE',
  },
  'scoping.run': {
    summary: 'run scoping',
    object: 'investigation',
    roles: everywhere(...RESPONSE),
  },
  // Who may read a post-mortem may write it; a writer off the team could not read it back.
  'postmortem.write': {
    summary: 'write post-mortems',
    object: 'investigation',
    roles: { ...onTeam('admin', 'responder', 'investigator'), ...everywhere(...MANAGERS) },
  },
  // Issue 5: "only the incident's team, incident managers and auditors read a post-mortem".
  'postmortem.read': {
    summary: 'read post-mortems',
    object: 'investigation',
    roles: { ...TEAM_BOUND, ...everywhere(...MANAGERS, 'auditor') },
    auditRefusals: true,
  },
  'team.read': {
    summary: "read an investigation's team",
    object: 'investigation',
    roles: everywhere(...READERS),
  },
  'team.manage': {
    summary: "add to or remove from an investigation's team",
    object: 'investigation',
    roles: everywhere('admin', ...MANAGERS),
  },
  'customer_summary.read': {
    summary: 'read customer-facing summaries',
    object: 'investigation',
    roles: everywhere(...READERS),
  },
  'customer_summary.write': {
    summary: 'write customer-facing summaries',
    object: 'investigation',
    roles: { ...TEAM_BOUND, ...everywhere(...MANAGERS) },
  },
  'customer_summary.approve': {
    summary: 'approve customer-facing summaries',
    object: 'investigation',
    roles: everywhere(...MANAGERS),
  },
  // Evidence leaves only under an incident manager's written approval (DESIGN.md §1.7), and
  // only in the hands of those who work the case: not administrators, who run the system.
  'evidence.approve': {
    summary: 'approve or revoke evidence exports',
    object: 'investigation',
    roles: everywhere(...MANAGERS),
  },
  'evidence.export': {
    summary: 'export evidence under an approval',
    object: 'investigation',
    roles: everywhere('responder', 'investigator', ...MANAGERS),
  },
  'evidence.read_log': {
    summary: 'read evidence approvals and exports',
    object: 'investigation',
    roles: everywhere('responder', 'investigator', ...MANAGERS, 'auditor'),
  },
  'moments.write': {
    summary: 'record awareness, classification or determination moments',
    object: 'investigation',
    roles: everywhere(...DECIDERS),
  },
  'regimes.override': {
    summary: 'override which regimes apply',
    object: 'investigation',
    roles: everywhere(...DECIDERS),
  },
  'obligation.decide': {
    summary: 'decide obligations',
    object: 'obligation',
    roles: everywhere(...DECIDERS),
  },
  'obligation.file': {
    summary: 'record filings',
    object: 'obligation',
    roles: everywhere(...DECIDERS),
  },
  'notice.read': {
    summary: 'read notices',
    object: 'notice',
    roles: {
      ...everywhere(...NOTICE_READERS),
      tenant_admin: 'own_tenant',
      account_team: 'served_tenants',
    },
  },
  'notice.preview': {
    summary: 'preview notices',
    object: 'notice',
    roles: everywhere(...NOTICE_READERS),
  },
  'report.regulator.read': {
    summary: 'read regulator reports',
    object: 'investigation',
    roles: everywhere(...NOTICE_READERS),
  },
  'template.preview': {
    summary: 'preview templates',
    object: null,
    roles: everywhere(...READERS),
  },
  'notice.followup.draft': {
    summary: 'draft follow-up notices',
    object: 'notice',
    roles: everywhere(...RESPONSE),
  },
  'notice.authority.draft': {
    summary: 'draft authority notices',
    object: 'obligation',
    roles: everywhere(...DRAFTERS),
  },
  'notice.withdraw': {
    summary: 'withdraw notices',
    object: 'notice',
    roles: everywhere(...DRAFTERS),
  },
  'notice.approve': {
    summary: 'approve notices',
    object: 'notice',
    roles: everywhere(...MANAGERS),
  },
  'notice.resend': {
    summary: 'resend notices',
    object: 'notice',
    roles: everywhere(...MANAGERS),
  },
  'hold.read': {
    summary: 'read holds',
    object: 'investigation',
    roles: everywhere(...NOTICE_READERS),
  },
  'hold.request': {
    summary: 'request a hold',
    object: 'notice',
    roles: everywhere(...DECIDERS),
    code: 'BD_HOLD_FORBIDDEN',
  },
  'hold.approve.legal': {
    summary: 'approve a hold as legal',
    object: 'hold',
    roles: everywhere('legal'),
    code: 'BD_HOLD_FORBIDDEN',
  },
  'hold.approve.executive': {
    summary: 'approve a hold as executive',
    object: 'hold',
    roles: everywhere('executive_incident_manager'),
    code: 'BD_HOLD_FORBIDDEN',
  },
  // Releasing a hold only lets notices go out, so those who may request one may release it.
  'hold.release': {
    summary: 'release a hold',
    object: 'hold',
    roles: everywhere(...DECIDERS),
    code: 'BD_HOLD_FORBIDDEN',
  },
  'suppression.read': {
    summary: 'read suppression rules',
    object: 'rule',
    roles: everywhere(...READERS),
  },
  'suppression.create': {
    summary: 'create suppression rules',
    object: null,
    roles: everywhere(...RULE_AUTHORS),
  },
  'suppression.revoke': {
    summary: 'revoke suppression rules',
    object: 'rule',
    roles: everywhere(...RULE_AUTHORS, 'responder'),
  },
  'tenants.import': { summary: 'import tenants', object: null, roles: everywhere('admin') },
  'breach_contacts.read': {
    summary: 'read breach contacts',
    object: 'tenant',
    roles: { ...everywhere('admin', ...MANAGERS, 'responder'), tenant_admin: 'own_tenant' },
  },
  'breach_contacts.write': {
    summary: 'change breach contacts',
    object: 'tenant',
    roles: { ...everywhere('admin'), tenant_admin: 'own_tenant' },
  },
  // The one-time link in a breach contact's test e-mail: whoever holds it confirms the address.
  'contact.confirm': {
    summary: "confirm a breach contact's address with the link from its test e-mail",
    object: null,
    roles: everywhere(...ROLES),
    public: true,
  },
  'tokens.manage': { summary: 'manage API tokens', object: 'token', roles: everywhere('admin') },
  'audit.read': {
    summary: 'read the audit log',
    object: null,
    roles: everywhere('admin', 'auditor', ...MANAGERS),
  },
  // A calculator over the moments given: it reads nothing stored, so every role may use it.
  'clock.compute': { summary: 'compute deadlines', object: null, roles: everywhere(...ROLES) },
  'settings.write': {
    summary: 'change the deployment role',
    object: null,
    roles: everywhere('admin'),
  },
  // Training records (docs/training.md): auditors read and export them, managers keep them.
  'training.read': {
    summary: 'read training records',
    object: null,
    roles: everywhere('admin', ...MANAGERS, 'auditor'),
  },
  'training.record': {
    summary: 'record training completions',
    object: null,
    roles: everywhere('admin', ...MANAGERS),
  },
  'training.export': {
    summary: 'export training records',
    object: null,
    roles: everywhere('admin', ...MANAGERS, 'auditor'),
  },
  'oncall.read': {
    summary: 'read the on-call rota',
    object: null,
    roles: everywhere(...RESPONSE),
  },
  'oncall.manage': {
    summary: 'change the on-call rota',
    object: null,
    roles: everywhere('admin', ...MANAGERS),
  },
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof POLICY;

/** Every action, in the order of the table. */
export const ACTIONS = Object.keys(POLICY) as Action[];
