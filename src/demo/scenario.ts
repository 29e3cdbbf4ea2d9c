/**
 * The demo's own breach scenario, invented here and written to disk: a dozen fictional tenants
 * of the fictional provider "Cirrusfield", a day of Suricata EVE lines with one real attack in
 * the noise, and the CloudTrail data-access logs that show which tenants the attacker read.
 *
 * The story: credentials of the provider's export worker (an EC2 instance role that may read
 * tenant buckets) were stolen. From 203.0.113.0/24 the attacker lists and downloads objects of
 * exactly three tenants, one of them only through its prefix of a shared bucket, and is refused
 * once on a fourth tenant's bucket. Everything is deterministic from the seed, and `expected`
 * is computed from what was written, so tests and the demo can check the product against it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { fail } from '../domain/errors.ts';
import { createRandom, type Random } from './random.ts';

export type DemoLanguage = 'en' | 'de' | 'fr';

/** How a tenant's data is recognised in data-access logs. Values are unique across tenants. */
export interface DemoResource {
  kind: 'aws_account' | 'bucket' | 'bucket_prefix';
  /** A 12-digit account id, a bucket name, or `bucket/prefix/` (always ending in a slash). */
  value: string;
  /** Kinds of personal data kept there; absent on accounts. */
  dataCategories?: string[];
}

export interface DemoContact {
  name: string;
  email: string;
  language: DemoLanguage;
}

export interface DemoAccountTeamMember {
  role: 'support' | 'account_manager' | 'technical_account_manager';
  name: string;
  email: string;
}

/** One entry of `tenants.json` (`{ "tenants": [ … ] }`). */
export interface DemoTenant {
  id: string;
  name: string;
  language: DemoLanguage;
  /** Hours the contract allows between awareness and notifying the tenant. */
  contractHours: number;
  jurisdictions: string[];
  resources: DemoResource[];
  breachContacts: DemoContact[];
  accountTeam: DemoAccountTeamMember[];
}

export interface ScenarioOptions {
  /** Folder to write into; created if missing. Its `cloudtrail/` subfolder is replaced. */
  dir: string;
  /** Any 32-bit integer; the same seed writes byte-identical files. Default 20261130. */
  seed?: number;
  /** Number of lines in `alerts.eve.json`, alert and non-alert together (40–20000). */
  alerts?: number;
}

/** The attacker's indicators, as a responder would enter them for scoping. */
export interface ScenarioAttacker {
  /** The stolen instance-role session (an STS assumed-role ARN in the provider's account). */
  principalArn: string;
  sourceIp: string;
  /** Whole minutes around every attacker call, ISO 8601 UTC: `from` ≤ t < `to`. */
  from: string;
  to: string;
}

/** What a correct product finds in the written files. */
export interface ScenarioExpected {
  /** Tenants in `tenants.json`. */
  tenants: number;
  /** Tenants whose data the attacker read successfully, sorted. */
  affectedTenantIds: string[];
  /** The tenant whose bucket refused the attacker (AccessDenied); not affected. */
  deniedTenantId: string;
  /** Distinct objects (bucket/key) the attacker read successfully, per affected tenant. */
  objectsByTenant: Record<string, number>;
  /** Successful attacker calls (GetObject, HeadObject, ListObjects), per affected tenant. */
  eventsByTenant: Record<string, number>;
  /** First and last successful attacker call per affected tenant, ISO 8601 UTC seconds. */
  accessByTenant: Record<string, { first: string; last: string }>;
  /** Lines in `alerts.eve.json`; equals `alertEvents + nonAlertEvents`. */
  alertLines: number;
  /** Lines with `event_type: "alert"`. */
  alertEvents: number;
  /** Flow, DNS and HTTP lines that an alert intake must skip. */
  nonAlertEvents: number;
  /** Alert lines carrying the attack signature (the original and its repeats). */
  attackAlertEvents: number;
  /**
   * Distinct (signature_id, src_ip, dest_ip, dest_port, proto) among alert lines. Repeats keep
   * all five, so a fingerprint over any subset that includes signature and both addresses
   * gives the same number; "approx" because an adapter may choose other fields.
   */
  distinctAlertFingerprintsApprox: number;
  cloudtrailFiles: number;
  cloudtrailRecords: number;
}

/** Where the scenario was written and what it contains. All paths are as given in `dir`. */
export interface Scenario {
  dir: string;
  seed: number;
  tenantsFile: string;
  alertsFile: string;
  cloudtrailDir: string;
  /** The provider's own account, which owns the shared bucket and the stolen role. */
  providerAccountId: string;
  attacker: ScenarioAttacker;
  expected: ScenarioExpected;
  attackSignature: string;
  attackSignatureId: number;
}

const DEFAULT_SEED = 20261130;
const DEFAULT_ALERT_LINES = 300;
// Below this the attack and its repeats would crowd out the noise; above it, use real logs.
const MIN_ALERT_LINES = 40;
const MAX_ALERT_LINES = 20_000;
const DAY_START_MS = Date.UTC(2026, 10, 30);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const PROVIDER_DOMAIN = 'cirrusfield.example';
const SHARED_BUCKET = 'cirrusfield-shared-exports-euc1';
const SHARED_REGION = 'eu-central-1';
const EXPORT_ROLE = 'cirrusfield-export-worker';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The signature of the one severity-1 alert: the exfiltration itself. */
export const ATTACK_SIGNATURE =
  'BREACHDESK DEMO Possible S3 data exfiltration by stolen instance role';
const ATTACK_SID = 9_100_100;

// ---------------------------------------------------------------------------------------------
// Tenants

type ContactSeed = [name: string, local: string, language: DemoLanguage];

interface TenantSeed {
  id: string;
  name: string;
  language: DemoLanguage;
  contractHours: number;
  jurisdictions: string[];
  region: string;
  /** Whether the tenant also keeps data under its own prefix of the shared bucket. */
  shared: boolean;
  categories: string[];
  contacts: ContactSeed[];
}

// Three lines per tenant: who it is (id | name | language | contract hours | jurisdictions),
// where its data lies (region | bucket, or bucket and a prefix of the shared bucket | data
// categories), and its breach contacts.
const TENANT_TABLE = `
northwind-health | Northwind Health Partners | en | 24 | EU UK
  eu-west-1 | bucket | health contact
  Zoë Müller <zoe.mueller> de; Daniel Okafor <daniel.okafor> en
brightwater-logistics | Brightwater Logistics Ltd | en | 24 | EU
  eu-west-1 | bucket | contact location
  Siobhán Ó Briain <siobhan.obriain> en
kestrel-versicherung | Kestrel Versicherung AG | de | 12 | EU
  eu-central-1 | bucket | financial health contact
  Jürgen Weiß <juergen.weiss> de; Lena Hoffmann <lena.hoffmann> de
maison-lavande | Maison Lavande SAS | fr | 24 | EU
  eu-west-3 | bucket | contact purchase
  Hélène Dubois-Marchetti <helene.dubois> fr
alpengluehen-reisen | Alpenglühen Reisen GmbH | de | 48 | EU
  eu-central-1 | bucket | identity travel
  Łukasz Żółć <lukasz.zolc> en; Anna Berger <anna.berger> de
harborlight-credit-union | Harborlight Credit Union | en | 12 | US US-NY
  us-east-1 | bucket | financial identity
  Marcus Bell <marcus.bell> en
quillfeather-publishing | Quillfeather Publishing Ltd | en | 24 | UK
  eu-west-2 | bucket+prefix | contact
  Eleanor Pike <eleanor.pike> en; Tomasz Nowak <tomasz.nowak> en
ferrand-boulangeries | Boulangeries Ferrand | fr | 48 | EU
  eu-west-3 | bucket+prefix | contact purchase
  François Lefèvre <francois.lefevre> fr
tidewell-energy | Tidewell Energy Oy | en | 24 | EU
  eu-north-1 | bucket+prefix | contact metering
  Aino Järvinen <aino.jarvinen> en
vogelsang-maschinenbau | Vogelsang Maschinenbau KG | de | 24 | EU
  eu-central-1 | bucket | employee contact
  Katrin Vogelsang <katrin.vogelsang> de; Mehmet Yılmaz <mehmet.yilmaz> de
cobaltline-telecom | Cobaltline Telecom S.A. | en | 24 | EU BR
  eu-west-1 | bucket | traffic contact
  Inés García Ruiz <ines.garcia> en
hanamori-analytics | Hanamori Analytics K.K. | en | 24 | JP EU
  eu-central-1 | bucket+prefix | contact behaviour
  佐藤 花子 <hanako.sato> en
`;

const TENANTS: readonly TenantSeed[] = parseTenantTable(TENANT_TABLE);

function parseTenantTable(table: string): TenantSeed[] {
  const rows = table.trim().split('\n');
  const cells = (row: string | undefined) => (row ?? '').split('|').map((cell) => cell.trim());
  const seeds: TenantSeed[] = [];

  for (let i = 0; i + 2 < rows.length; i += 3) {
    const [id = '', name = '', language, hours, jurisdictions = ''] = cells(rows[i]);
    const [region = '', storage, categories = ''] = cells(rows[i + 1]);
    const contacts = (rows[i + 2] ?? '').split(';').map((entry): ContactSeed => {
      const match = /^(.+) <([a-z.]+)> (en|de|fr)$/.exec(entry.trim());
      return [match?.[1] ?? '', match?.[2] ?? '', asLanguage(match?.[3])];
    });
    seeds.push({
      id,
      name,
      language: asLanguage(language),
      contractHours: Number(hours),
      jurisdictions: jurisdictions.split(' '),
      region,
      shared: storage === 'bucket+prefix',
      categories: categories.split(' '),
      contacts,
    });
  }
  return seeds;
}

function asLanguage(value: string | undefined): DemoLanguage {
  return value === 'de' || value === 'fr' ? value : 'en';
}

const ACCOUNT_MANAGERS = [
  ['Rebecca Thornton', 'rebecca.thornton'],
  ['Jonas Lindqvist', 'jonas.lindqvist'],
  ['Amélie Roux', 'amelie.roux'],
  ['Samuel Adeyemi', 'samuel.adeyemi'],
] as const;
const TECHNICAL_ACCOUNT_MANAGERS = [
  ['Felix Brandt', 'felix.brandt'],
  ['Grace Liu', 'grace.liu'],
  ['Matteo Conti', 'matteo.conti'],
  ['Nora Haddad', 'nora.haddad'],
] as const;
const SUPPORT_DESKS: Record<DemoLanguage, [string, string]> = {
  en: ['Cirrusfield Support (English)', 'support'],
  de: ['Cirrusfield Support (Deutsch)', 'support-de'],
  fr: ['Cirrusfield Support (Français)', 'support-fr'],
};

const FOLDERS = [
  ['customers', 'csv'],
  ['invoices', 'pdf'],
  ['contracts', 'pdf'],
  ['exports', 'json'],
  ['reports', 'xlsx'],
  ['backups', 'sql.gz'],
] as const;

const SDK_AGENTS = [
  'aws-sdk-java/2.25.14 Linux/5.10.219 OpenJDK_64-Bit_Server_VM/17.0.11 Java/17.0.11',
  'Boto3/1.34.90 md/Botocore#1.34.90 ua/2.0 os/linux#5.15.0 lang/python#3.11.9',
  'aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.1',
] as const;
const ATTACKER_AGENT =
  'aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0-kali1-amd64 lang/python#3.11.9 ' +
  'cfg/retry-mode#standard prompt/off command/s3.cp';

/** A caller as CloudTrail records it, plus where it usually calls from. */
interface Actor {
  arn: string;
  account: string;
  identity: Record<string, unknown>;
  userAgent: string;
  ip: string;
  vpce?: string;
}

/** A tenant with the generator's private knowledge of it (never written to tenants.json). */
interface TenantPlan {
  tenant: DemoTenant;
  account: string;
  bucket: string;
  region: string;
  keys: string[];
  /** Keys in the shared bucket under the tenant's prefix; empty when it has none. */
  sharedKeys: string[];
  actors: Actor[];
}

function buildTenantPlans(rng: Random, accounts: Set<string>, ips: Set<string>): TenantPlan[] {
  return TENANTS.map((seed) => {
    const account = uniqueAccount(rng, accounts);
    const purpose = rng.pick(['records', 'data', 'prod-data', 'files']);
    const bucket = `${seed.id}-${purpose}-${rng.hex(4)}`;
    const resources: DemoResource[] = [
      { kind: 'aws_account', value: account },
      { kind: 'bucket', value: bucket, dataCategories: seed.categories },
    ];
    if (seed.shared) {
      resources.push({
        kind: 'bucket_prefix',
        value: `${SHARED_BUCKET}/${seed.id}/`,
        dataCategories: seed.categories,
      });
    }

    const tenant: DemoTenant = {
      id: seed.id,
      name: seed.name,
      language: seed.language,
      contractHours: seed.contractHours,
      jurisdictions: seed.jurisdictions,
      resources,
      breachContacts: seed.contacts.map(([name, local, language]) => ({
        name,
        email: `${local}@${seed.id}.example`,
        language,
      })),
      accountTeam: buildAccountTeam(rng, seed),
    };

    const publicIp = uniqueIp(rng, ips, '198.51.100.');
    const privateIp = `10.${rng.int(30, 90)}.${rng.int(0, 255)}.${rng.int(2, 250)}`;
    const vpce = `vpce-${rng.hex(17)}`;
    const actors = [
      iamUser(rng, account, rng.pick(['etl-service', 'reporting', 'backup-agent']), publicIp),
      { ...assumedRole(rng, account, 'app-server', `i-0${rng.hex(16)}`, privateIp, true), vpce },
    ];
    const keys = objectKeys(rng, 24, '');
    const sharedKeys = seed.shared ? objectKeys(rng, 12, `${seed.id}/`) : [];

    return { tenant, account, bucket, region: seed.region, keys, sharedKeys, actors };
  });
}

function buildAccountTeam(rng: Random, seed: TenantSeed): DemoAccountTeamMember[] {
  const [supportName, supportLocal] = SUPPORT_DESKS[seed.language];
  const [managerName, managerLocal] = rng.pick(ACCOUNT_MANAGERS);
  const team: DemoAccountTeamMember[] = [
    { role: 'support', name: supportName, email: `${supportLocal}@${PROVIDER_DOMAIN}` },
    { role: 'account_manager', name: managerName, email: `${managerLocal}@${PROVIDER_DOMAIN}` },
  ];

  // Short contract clocks come with a named technical account manager.
  if (seed.contractHours < 24 || rng.chance(0.5)) {
    const [tamName, tamLocal] = rng.pick(TECHNICAL_ACCOUNT_MANAGERS);
    team.push({
      role: 'technical_account_manager',
      name: tamName,
      email: `${tamLocal}@${PROVIDER_DOMAIN}`,
    });
  }
  return team;
}

function uniqueAccount(rng: Random, taken: Set<string>): string {
  for (;;) {
    const account = `${rng.int(1, 9)}${rng.chars('0123456789', 11)}`;
    if (!taken.has(account)) {
      taken.add(account);
      return account;
    }
  }
}

function uniqueIp(rng: Random, taken: Set<string>, prefix: string): string {
  for (;;) {
    const ip = `${prefix}${rng.int(1, 254)}`;
    if (!taken.has(ip)) {
      taken.add(ip);
      return ip;
    }
  }
}

function objectKeys(rng: Random, count: number, prefix: string): string[] {
  const keys = new Set<string>();
  while (keys.size < count) {
    const [folder, ext] = rng.pick(FOLDERS);
    const month = rng.pick(['09', '10', '11']);
    keys.add(
      `${prefix}${folder}/2026/${month}/${folder.slice(0, -1)}-${rng.int(10000, 99999)}.${ext}`,
    );
  }
  return [...keys];
}

function iamUser(rng: Random, account: string, userName: string, ip: string): Actor {
  const arn = `arn:aws:iam::${account}:user/${userName}`;
  const identity = {
    type: 'IAMUser',
    principalId: `AIDA${rng.chars(BASE32, 17)}`,
    arn,
    accountId: account,
    accessKeyId: `AKIA${rng.chars(BASE32, 16)}`,
    userName,
  };
  return { arn, account, identity, userAgent: rng.pick(SDK_AGENTS), ip };
}

function assumedRole(
  rng: Random,
  account: string,
  role: string,
  session: string,
  ip: string,
  ec2: boolean,
): Actor {
  const roleId = `AROA${rng.chars(BASE32, 17)}`;
  const arn = `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
  const created = isoSeconds(DAY_START_MS + rng.int(0, 6) * HOUR_MS - rng.int(0, 3599) * 1000);
  const identity = {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn,
    accountId: account,
    accessKeyId: `ASIA${rng.chars(BASE32, 16)}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
        userName: role,
      },
      attributes: { creationDate: created, mfaAuthenticated: 'false' },
      ...(ec2 ? { ec2RoleDelivery: '2.0' } : {}),
    },
  };
  return { arn, account, identity, userAgent: rng.pick(SDK_AGENTS), ip };
}

// ---------------------------------------------------------------------------------------------
// CloudTrail

type S3Operation = 'GetObject' | 'HeadObject' | 'ListObjects' | 'PutObject';

/** One CloudTrail record with the facts the generator needs to group and count it. */
interface TrailEvent {
  ms: number;
  /** recipientAccountId: the bucket owner's account, whose trail delivers the record. */
  account: string;
  region: string;
  arn: string;
  ip: string;
  bucket?: string;
  key?: string;
  failed: boolean;
  record: Record<string, unknown>;
}

interface S3Call {
  ms: number;
  actor: Actor;
  operation: S3Operation;
  bucket: string;
  key?: string;
  owner: string;
  region: string;
  denied?: boolean;
  ip?: string;
  userAgent?: string;
}

function s3Event(rng: Random, call: S3Call): TrailEvent {
  const { actor, operation, bucket, key, owner, region } = call;
  const ip = call.ip ?? actor.ip;
  const host = `${bucket}.s3.${region}.amazonaws.com`;
  const { bytesIn, bytesOut } = transferSizes(rng, operation, call.denied === true);

  const bucketArn = `arn:aws:s3:::${bucket}`;
  const resources: Record<string, unknown>[] =
    key === undefined
      ? [{ accountId: owner, type: 'AWS::S3::Bucket', ARN: bucketArn }]
      : [
          { type: 'AWS::S3::Object', ARN: `${bucketArn}/${key}` },
          { accountId: owner, type: 'AWS::S3::Bucket', ARN: bucketArn },
        ];
  const requestParameters: Record<string, unknown> =
    key === undefined
      ? { bucketName: bucket, Host: host, 'list-type': '2', 'encoding-type': 'url' }
      : { bucketName: bucket, Host: host, key };

  const record: Record<string, unknown> = {
    eventVersion: '1.10',
    userIdentity: actor.identity,
    eventTime: isoSeconds(call.ms),
    eventSource: 's3.amazonaws.com',
    eventName: operation,
    awsRegion: region,
    sourceIPAddress: ip,
    userAgent: call.userAgent ?? actor.userAgent,
    ...(call.denied ? { errorCode: 'AccessDenied', errorMessage: 'Access Denied' } : {}),
    requestParameters,
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: bytesIn,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': rng.chars(ALNUM, 56),
      bytesTransferredOut: bytesOut,
    },
    requestID: rng.chars('0123456789ABCDEF', 16),
    eventID: rng.uuid(),
    readOnly: operation !== 'PutObject',
    resources,
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: owner,
    ...(actor.account === owner ? {} : { sharedEventID: rng.uuid() }),
    ...(actor.vpce !== undefined && ip === actor.ip
      ? { vpcEndpointId: actor.vpce, vpcEndpointAccountId: actor.account }
      : {}),
    eventCategory: 'Data',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: host,
    },
  };

  const failed = call.denied === true;
  return { ms: call.ms, account: owner, region, arn: actor.arn, ip, bucket, key, failed, record };
}

function transferSizes(rng: Random, operation: S3Operation, denied: boolean) {
  // A refused call still sends the small XML error body back.
  if (denied) return { bytesIn: 0, bytesOut: rng.int(230, 260) };

  switch (operation) {
    case 'GetObject':
      return { bytesIn: 0, bytesOut: rng.int(2_000, 25_000_000) };
    case 'HeadObject':
      return { bytesIn: 0, bytesOut: 0 };
    case 'ListObjects':
      return { bytesIn: 0, bytesOut: rng.int(800, 40_000) };
    case 'PutObject':
      return { bytesIn: rng.int(1_000, 8_000_000), bytesOut: 0 };
  }
}

function describeInstances(rng: Random, ms: number, actor: Actor, region: string): TrailEvent {
  const record = {
    eventVersion: '1.10',
    userIdentity: actor.identity,
    eventTime: isoSeconds(ms),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: region,
    sourceIPAddress: actor.ip,
    userAgent: actor.userAgent,
    requestParameters: { instancesSet: {}, filterSet: {} },
    responseElements: null,
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: actor.account,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `ec2.${region}.amazonaws.com`,
    },
  };
  return {
    ms,
    account: actor.account,
    region,
    arn: actor.arn,
    ip: actor.ip,
    failed: false,
    record,
  };
}

/** Every tenant's own principals at work on their own objects, from their own addresses. */
function tenantNoise(rng: Random, plan: TenantPlan): TrailEvent[] {
  const events: TrailEvent[] = [];
  const count = rng.int(30, 60);

  for (let i = 0; i < count; i += 1) {
    const actor = rng.pick(plan.actors);
    const operation = rng.weighted(
      ['GetObject', 'HeadObject', 'ListObjects', 'PutObject'] as const,
      (op) => ({ GetObject: 6, HeadObject: 2, ListObjects: 1, PutObject: 2 })[op],
    );
    const key =
      operation === 'ListObjects'
        ? undefined
        : operation === 'PutObject'
          ? `uploads/2026/11/30/${rng.hex(12)}.csv`
          : rng.pick(plan.keys);
    const call = { actor, operation, bucket: plan.bucket, key, owner: plan.account };
    events.push(s3Event(rng, { ...call, ms: dayTime(rng), region: plan.region }));
  }

  const [operator] = plan.actors;
  for (let i = rng.int(2, 5); operator !== undefined && i > 0; i -= 1) {
    events.push(describeInstances(rng, dayTime(rng), operator, plan.region));
  }
  return events;
}

/** The provider's genuine export worker (another instance of the same role) at work. */
function providerNoise(rng: Random, provider: string, plans: TenantPlan[]): TrailEvent[] {
  const worker = assumedRole(rng, provider, EXPORT_ROLE, `i-0${rng.hex(16)}`, '10.20.4.17', true);
  worker.vpce = `vpce-${rng.hex(17)}`;
  const operator = iamUser(rng, provider, 'ops-inventory', `192.0.2.${rng.int(100, 140)}`);
  const shared = plans.filter((plan) => plan.sharedKeys.length > 0);
  const events: TrailEvent[] = [];

  for (let i = rng.int(30, 45); i > 0; i -= 1) {
    const plan = rng.pick(shared);
    const operation = rng.chance(0.3) ? 'PutObject' : 'GetObject';
    const key = rng.pick(plan.sharedKeys);
    const call = { actor: worker, operation, bucket: SHARED_BUCKET, key, owner: provider } as const;
    events.push(s3Event(rng, { ...call, ms: dayTime(rng), region: SHARED_REGION }));
  }

  // Cross-account reads the worker is entitled to: same role as the attacker, other session.
  for (let i = rng.int(10, 20); i > 0; i -= 1) {
    const plan = rng.pick(plans);
    const call = { actor: worker, operation: 'GetObject', bucket: plan.bucket } as const;
    const key = rng.pick(plan.keys);
    events.push(
      s3Event(rng, { ...call, key, owner: plan.account, ms: dayTime(rng), region: plan.region }),
    );
  }

  for (let i = rng.int(3, 6); i > 0; i -= 1) {
    events.push(describeInstances(rng, dayTime(rng), operator, SHARED_REGION));
  }
  return events;
}

interface AttackPlan {
  attacker: Actor;
  events: TrailEvent[];
  deniedTenantId: string;
  firstMs: number;
  lastMs: number;
}

/** Three tenants read (one only through its shared-bucket prefix), a fourth refuses. */
function planAttack(rng: Random, provider: string, plans: TenantPlan[]): AttackPlan {
  const ip = `203.0.113.${rng.int(10, 250)}`;
  const attacker = assumedRole(rng, provider, EXPORT_ROLE, `i-0${rng.hex(16)}`, ip, true);
  attacker.userAgent = ATTACKER_AGENT;
  const viaPrefix = rng.pick(plans.filter((plan) => plan.sharedKeys.length > 0));
  const [second, third, denied] = rng.sample(
    plans.filter((plan) => plan !== viaPrefix),
    3,
  ) as [TenantPlan, TenantPlan, TenantPlan];

  const start = DAY_START_MS + (7 * 60 + 30 + rng.int(0, 150)) * 60_000 + rng.int(0, 59) * 1000;
  const span = rng.int(25, 50) * 60;
  const at = (): number => start + rng.int(0, span) * 1000;
  const events: TrailEvent[] = [];
  const read = (bucket: string, owner: string, region: string, keys: string[]): void => {
    for (const key of keys) {
      const base = { actor: attacker, bucket, key, owner, region };
      if (rng.chance(0.3))
        events.push(s3Event(rng, { ...base, operation: 'HeadObject', ms: at() }));
      events.push(s3Event(rng, { ...base, operation: 'GetObject', ms: at() }));
      if (rng.chance(0.2)) events.push(s3Event(rng, { ...base, operation: 'GetObject', ms: at() }));
    }
  };

  read(SHARED_BUCKET, provider, SHARED_REGION, rng.sample(viaPrefix.sharedKeys, rng.int(4, 10)));
  for (const plan of [second, third]) {
    const own = { actor: attacker, bucket: plan.bucket, owner: plan.account, region: plan.region };
    for (let i = rng.int(1, 2); i > 0; i -= 1) {
      events.push(s3Event(rng, { ...own, operation: 'ListObjects', ms: at() }));
    }
    read(plan.bucket, plan.account, plan.region, rng.sample(plan.keys, rng.int(5, 16)));
    if (plan.sharedKeys.length > 0 && rng.chance(0.5)) {
      read(SHARED_BUCKET, provider, SHARED_REGION, rng.sample(plan.sharedKeys, rng.int(2, 4)));
    }
  }

  const refused = { actor: attacker, bucket: denied.bucket, key: rng.pick(denied.keys) };
  const deniedCall = { ...refused, owner: denied.account, region: denied.region, denied: true };
  events.push(s3Event(rng, { ...deniedCall, operation: 'GetObject', ms: at() }));

  const times = events.map((event) => event.ms);
  const [firstMs, lastMs] = [Math.min(...times), Math.max(...times)];
  return { attacker, events, deniedTenantId: denied.tenant.id, firstMs, lastMs };
}

/** Writes CloudTrail's own layout: one gzip file per account, region and hour. */
async function writeCloudTrail(rng: Random, root: string, events: TrailEvent[]): Promise<number> {
  const groups = new Map<string, TrailEvent[]>();
  for (const event of events) {
    const hour = String(Math.floor((event.ms - DAY_START_MS) / HOUR_MS)).padStart(2, '0');
    const key = `${event.account}|${event.region}|${hour}`;
    groups.set(key, [...(groups.get(key) ?? []), event]);
  }

  const keys = [...groups.keys()].sort();
  for (const key of keys) {
    const [account = '', region = '', hour = ''] = key.split('|');
    const batch = [...(groups.get(key) ?? [])].sort((a, b) => a.ms - b.ms);
    const lastMinute = new Date(batch.at(-1)?.ms ?? 0).getUTCMinutes();
    const minute = String(Math.min(55, Math.floor(lastMinute / 5) * 5 + 5)).padStart(2, '0');

    const folder = join(root, 'AWSLogs', account, 'CloudTrail', region, '2026', '11', '30');
    const unique = rng.chars(ALNUM, 16);
    const name = `${account}_CloudTrail_${region}_20261130T${hour}${minute}Z_${unique}.json.gz`;
    const body = JSON.stringify({ Records: batch.map((event) => event.record) });
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, name), gzipSync(body));
  }
  return keys.length;
}

type ScopeFacts = Pick<
  ScenarioExpected,
  'affectedTenantIds' | 'objectsByTenant' | 'eventsByTenant' | 'accessByTenant'
>;

interface TenantHits {
  events: number;
  objects: Set<string>;
  times: number[];
}

/** Scopes the written events the way the product should: successful attacker calls only. */
function expectScope(events: TrailEvent[], tenants: DemoTenant[], attacker: Actor): ScopeFacts {
  const hits = new Map<string, TenantHits>();

  for (const event of events) {
    if (event.arn !== attacker.arn || event.ip !== attacker.ip || event.failed) continue;
    for (const tenant of tenants.filter((candidate) => owns(candidate, event))) {
      const entry = hits.get(tenant.id) ?? { events: 0, objects: new Set<string>(), times: [] };
      entry.events += 1;
      entry.times.push(event.ms);
      if (event.key !== undefined) entry.objects.add(`${event.bucket}/${event.key}`);
      hits.set(tenant.id, entry);
    }
  }

  const entries = [...hits.entries()].sort(([a], [b]) => a.localeCompare(b));
  const perTenant = <T>(of: (entry: TenantHits) => T): Record<string, T> =>
    Object.fromEntries(entries.map(([id, entry]) => [id, of(entry)]));
  return {
    affectedTenantIds: entries.map(([id]) => id),
    objectsByTenant: perTenant((entry) => entry.objects.size),
    eventsByTenant: perTenant((entry) => entry.events),
    accessByTenant: perTenant((entry) => ({
      first: isoSeconds(Math.min(...entry.times)),
      last: isoSeconds(Math.max(...entry.times)),
    })),
  };
}

function owns(tenant: DemoTenant, event: TrailEvent): boolean {
  return tenant.resources.some((resource) => {
    switch (resource.kind) {
      case 'aws_account':
        return resource.value === event.account;
      case 'bucket':
        return resource.value === event.bucket;
      case 'bucket_prefix':
        return (
          event.bucket !== undefined &&
          `${event.bucket}/${event.key ?? ''}`.startsWith(resource.value)
        );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Suricata EVE

interface SignatureSpec {
  sid: number;
  rev: number;
  signature: string;
  category: string;
  severity: 1 | 2 | 3;
  proto: 'TCP' | 'UDP';
  appProto?: 'http' | 'tls' | 'dns' | 'ssh';
  ports: readonly number[];
  /** Inbound: an outside host calls one of the provider's services; outbound: the reverse. */
  inbound: boolean;
  weight: number;
  detail?: (rng: Random) => Record<string, unknown>;
}

const SIGNATURES: readonly SignatureSpec[] = [
  {
    sid: 9_100_001,
    rev: 3,
    signature: 'BREACHDESK DEMO Repeated SSH authentication failures from one host',
    category: 'Attempted Administrator Privilege Gain',
    severity: 2,
    proto: 'TCP',
    appProto: 'ssh',
    ports: [22],
    inbound: true,
    weight: 5,
    detail: (rng) => ({
      ssh: {
        client: { proto_version: '2.0', software_version: rng.pick(['libssh2_1.10.0', 'Go']) },
        server: { proto_version: '2.0', software_version: 'OpenSSH_9.2p1' },
      },
    }),
  },
  {
    sid: 9_100_002,
    rev: 1,
    signature: 'BREACHDESK DEMO TCP SYN sweep across service ports',
    category: 'Detection of a Network Scan',
    severity: 3,
    proto: 'TCP',
    ports: [21, 23, 3389, 5900, 8080],
    inbound: true,
    weight: 6,
  },
  {
    sid: 9_100_003,
    rev: 2,
    signature: 'BREACHDESK DEMO HTTP request with directory traversal in query',
    category: 'Web Application Attack',
    severity: 2,
    proto: 'TCP',
    appProto: 'http',
    ports: [80, 8080],
    inbound: true,
    weight: 4,
    detail: (rng) => ({
      http: {
        hostname: `portal.${PROVIDER_DOMAIN}`,
        url: `/download?file=${'..%2F'.repeat(rng.int(3, 6))}etc%2Fshadow`,
        http_user_agent: rng.pick(['curl/8.5.0', 'python-requests/2.31.0']),
        http_method: 'GET',
        protocol: 'HTTP/1.1',
        status: 400,
        length: 0,
      },
    }),
  },
  {
    sid: 9_100_004,
    rev: 1,
    signature: 'BREACHDESK DEMO DNS lookup of a dynamic DNS hostname',
    category: 'Potentially Bad Traffic',
    severity: 2,
    proto: 'UDP',
    appProto: 'dns',
    ports: [53],
    inbound: false,
    weight: 3,
    detail: (rng) => ({
      dns: {
        type: 'query',
        id: rng.int(1, 65535),
        rrname: `${rng.chars('abcdefghijklmnopqrstuvwxyz', 8)}.dyndns-demo.example`,
        rrtype: 'A',
        tx_id: 0,
      },
    }),
  },
  {
    sid: 9_100_005,
    rev: 4,
    signature: 'BREACHDESK DEMO TLS handshake offering a deprecated protocol version',
    category: 'Misc activity',
    severity: 3,
    proto: 'TCP',
    appProto: 'tls',
    ports: [443],
    inbound: true,
    weight: 5,
    detail: (rng) => ({
      tls: { sni: `api.${PROVIDER_DOMAIN}`, version: rng.pick(['TLS 1.0', 'TLS 1.1']) },
    }),
  },
  {
    sid: 9_100_006,
    rev: 1,
    signature: 'BREACHDESK DEMO Cleartext HTTP basic authentication to partner host',
    category: 'Potential Corporate Privacy Violation',
    severity: 2,
    proto: 'TCP',
    appProto: 'http',
    ports: [80],
    inbound: false,
    weight: 2,
    detail: (rng) => ({
      http: {
        hostname: 'legacy-crm.partner.example',
        url: `/sync/v1/contacts?page=${rng.int(1, 40)}`,
        http_user_agent: 'crm-sync/4.2',
        http_method: 'POST',
        protocol: 'HTTP/1.1',
        status: 200,
        length: rng.int(200, 5000),
      },
    }),
  },
  {
    sid: 9_100_007,
    rev: 2,
    signature: 'BREACHDESK DEMO Outbound connection to a mining pool port',
    category: 'Potentially Bad Traffic',
    severity: 2,
    proto: 'TCP',
    ports: [3333, 4444],
    inbound: false,
    weight: 1,
  },
];

const ATTACK_SPEC: SignatureSpec = {
  sid: ATTACK_SID,
  rev: 1,
  signature: ATTACK_SIGNATURE,
  category: 'Attempted Information Leak',
  severity: 1,
  proto: 'TCP',
  appProto: 'tls',
  ports: [443],
  inbound: true,
  weight: 0,
  detail: () => ({ tls: { sni: `s3.${SHARED_REGION}.amazonaws.com`, version: 'TLS 1.3' } }),
};

/** What makes two alerts "the same thing again": repeats share all of it. */
interface AlertShape {
  spec: SignatureSpec;
  srcIp: string;
  destIp: string;
  destPort: number;
}

interface EveLine {
  us: number;
  line: Record<string, unknown>;
}

const SENSOR = 'ids-fra-01';
const STORAGE_GATEWAY = '192.0.2.80';
const RESOLVER = '10.20.0.2';

/** `total` EVE lines: about 80 % alerts (some repeated), the rest flow, dns and http. */
function buildEve(rng: Random, total: number, attack: AttackPlan): EveLine[] {
  const services = Array.from({ length: 6 }, (_, i) => `192.0.2.${10 + i * 7}`);
  const nonAlerts = Math.round(total * 0.2);
  const attackCount = rng.int(4, 6);
  const noiseAlerts = total - nonAlerts - attackCount;
  const repeats = Math.max(1, Math.round(noiseAlerts * 0.07));
  const lines: EveLine[] = [];

  const shapes: { shape: AlertShape; us: number }[] = [];
  const seen = new Set<string>();
  while (shapes.length < noiseAlerts - repeats) {
    const shape = noiseShape(rng, services, attack.attacker.ip);
    const key = `${shape.spec.sid}|${shape.srcIp}|${shape.destIp}`;
    if (seen.has(key)) continue;
    seen.add(key);
    shapes.push({ shape, us: withMicros(rng, dayTime(rng)) });
  }

  for (const { shape, us } of shapes) lines.push(alertLine(rng, shape, us));
  for (let i = 0; i < repeats; i += 1) {
    const { shape, us } = rng.pick(shapes);
    const later = Math.min(us + rng.int(5, 1800) * 1_000_000, (DAY_START_MS + DAY_MS) * 1000 - 1);
    lines.push(alertLine(rng, shape, later));
  }

  const attackShape = {
    spec: ATTACK_SPEC,
    srcIp: attack.attacker.ip,
    destIp: STORAGE_GATEWAY,
    destPort: 443,
  };
  for (let i = 0; i < attackCount; i += 1) {
    const seconds = i === 0 ? 0 : rng.int(0, (attack.lastMs - attack.firstMs) / 1000);
    const ms = attack.firstMs + seconds * 1000;
    lines.push(alertLine(rng, attackShape, withMicros(rng, ms)));
  }

  for (let i = 0; i < nonAlerts; i += 1) lines.push(nonAlertLine(rng, services));
  return lines.sort((a, b) => a.us - b.us);
}

function noiseShape(rng: Random, services: string[], attackerIp: string): AlertShape {
  const spec = rng.weighted(SIGNATURES, (candidate) => candidate.weight);
  const outside = externalIp(rng, attackerIp);
  const inside = spec.inbound ? rng.pick(services) : internalIp(rng);
  const destPort = rng.pick(spec.ports);

  return spec.inbound
    ? { spec, srcIp: outside, destIp: inside, destPort }
    : { spec, srcIp: inside, destIp: outside, destPort };
}

function alertLine(rng: Random, shape: AlertShape, us: number): EveLine {
  const { spec } = shape;
  const line: Record<string, unknown> = {
    ...eveHeader(rng, us, 'alert'),
    src_ip: shape.srcIp,
    src_port: rng.int(32768, 60999),
    dest_ip: shape.destIp,
    dest_port: shape.destPort,
    proto: spec.proto,
    pkt_src: 'wire/pcap',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: spec.sid,
      rev: spec.rev,
      signature: spec.signature,
      category: spec.category,
      severity: spec.severity,
    },
    ...(spec.appProto === undefined ? {} : { app_proto: spec.appProto }),
    ...spec.detail?.(rng),
    direction: 'to_server',
    flow: flowStats(rng, us, spec === ATTACK_SPEC),
    host: SENSOR,
  };
  return { us, line };
}

function nonAlertLine(rng: Random, services: string[]): EveLine {
  const us = withMicros(rng, dayTime(rng));
  const kind = rng.weighted(
    ['flow', 'dns', 'http'] as const,
    (k) => ({ flow: 4, dns: 3, http: 3 })[k],
  );
  const client = kind === 'dns' ? internalIp(rng) : `198.51.100.${rng.int(1, 254)}`;
  const server = kind === 'dns' ? RESOLVER : rng.pick(services);
  const line: Record<string, unknown> = {
    ...eveHeader(rng, us, kind),
    src_ip: client,
    src_port: rng.int(32768, 60999),
    dest_ip: server,
    dest_port: { flow: 443, dns: 53, http: 80 }[kind],
    proto: kind === 'dns' ? 'UDP' : 'TCP',
  };

  switch (kind) {
    case 'flow':
      Object.assign(line, {
        app_proto: 'tls',
        flow: { ...flowStats(rng, us, false), state: 'closed', reason: 'timeout', alerted: false },
      });
      break;
    case 'dns':
      line.dns = {
        type: 'query',
        id: rng.int(1, 65535),
        rrname: rng.pick([`api.${PROVIDER_DOMAIN}`, `updates.vendor.example`, 'time.ntp.example']),
        rrtype: rng.pick(['A', 'AAAA']),
        tx_id: 0,
      };
      break;
    case 'http':
      line.http = {
        hostname: `portal.${PROVIDER_DOMAIN}`,
        url: rng.pick(['/', '/login', '/api/v2/health', '/assets/app.js']),
        http_user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
        http_content_type: 'text/html',
        http_method: 'GET',
        protocol: 'HTTP/1.1',
        status: 200,
        length: rng.int(500, 90_000),
      };
      break;
  }
  return { us, line: { ...line, host: SENSOR } };
}

function eveHeader(rng: Random, us: number, eventType: string): Record<string, unknown> {
  // flow_id is a 64-bit counter in Suricata; stay below 2^53 so JSON readers keep it exact.
  const flowId = rng.int(0, 0x1fffff) * 2 ** 32 + rng.int(0, 2 ** 32 - 1);
  return { timestamp: suricataTime(us), flow_id: flowId, in_iface: 'ens5', event_type: eventType };
}

function flowStats(rng: Random, us: number, exfiltration: boolean): Record<string, unknown> {
  return {
    pkts_toserver: rng.int(3, 40),
    pkts_toclient: exfiltration ? rng.int(60_000, 300_000) : rng.int(2, 60),
    bytes_toserver: rng.int(200, 9_000),
    bytes_toclient: exfiltration ? rng.int(80_000_000, 400_000_000) : rng.int(0, 60_000),
    start: suricataTime(us - rng.int(0, 5_000_000)),
  };
}

function externalIp(rng: Random, attackerIp: string): string {
  for (;;) {
    const ip = `${rng.pick(['198.51.100.', '203.0.113.'])}${rng.int(1, 254)}`;
    if (ip !== attackerIp) return ip;
  }
}

function internalIp(rng: Random): string {
  return `10.20.${rng.int(1, 7)}.${rng.int(2, 250)}`;
}

type AlertFacts = Pick<
  ScenarioExpected,
  | 'alertLines'
  | 'alertEvents'
  | 'nonAlertEvents'
  | 'attackAlertEvents'
  | 'distinctAlertFingerprintsApprox'
>;

/** Counts the EVE lines as written, the way an alert intake would see them. */
function expectAlerts(lines: EveLine[]): AlertFacts {
  const alerts = lines.map(({ line }) => line).filter((line) => line.event_type === 'alert');
  const sid = (line: Record<string, unknown>) =>
    (line.alert as { signature_id: number }).signature_id;
  const fingerprint = (line: Record<string, unknown>) =>
    [sid(line), line.src_ip, line.dest_ip, line.dest_port, line.proto].join('|');

  return {
    alertLines: lines.length,
    alertEvents: alerts.length,
    nonAlertEvents: lines.length - alerts.length,
    attackAlertEvents: alerts.filter((line) => sid(line) === ATTACK_SID).length,
    distinctAlertFingerprintsApprox: new Set(alerts.map(fingerprint)).size,
  };
}

// ---------------------------------------------------------------------------------------------
// Time

/** An instant of the scenario day, whole seconds, mostly in European working hours. */
function dayTime(rng: Random): number {
  const seconds = rng.chance(0.75) ? rng.int(7 * 3600, 19 * 3600 - 1) : rng.int(0, 86_399);
  return DAY_START_MS + seconds * 1000;
}

/** Microseconds since the epoch somewhere in the second starting at `ms`. */
function withMicros(rng: Random, ms: number): number {
  return ms * 1000 + rng.int(0, 999_999);
}

/** CloudTrail's form: `2026-11-30T08:15:02Z`. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Suricata's form: `2026-11-30T08:15:02.123456+0000`. */
function suricataTime(us: number): string {
  const micros = String(us % 1_000_000).padStart(6, '0');
  return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${micros}+0000`;
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Writes `tenants.json`, `alerts.eve.json` and `cloudtrail/AWSLogs/…` into `opts.dir` and
 * returns their paths with the facts a correct product must find in them. The same seed and
 * options always write byte-identical files.
 */
export async function generateScenario(opts: ScenarioOptions): Promise<Scenario> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const total = opts.alerts ?? DEFAULT_ALERT_LINES;
  if (!Number.isInteger(seed)) {
    fail('BD_CONFIG_INVALID', `seed must be an integer, got ${seed}`, 'seed');
  }
  if (!Number.isInteger(total) || total < MIN_ALERT_LINES || total > MAX_ALERT_LINES) {
    const range = `${MIN_ALERT_LINES} to ${MAX_ALERT_LINES}`;
    fail('BD_CONFIG_INVALID', `alerts must be an integer from ${range}, got ${total}`, 'alerts');
  }

  const rng = createRandom(seed);
  const accounts = new Set<string>();
  const provider = uniqueAccount(rng, accounts);
  const plans = buildTenantPlans(rng, accounts, new Set());
  const tenants = plans.map((plan) => plan.tenant);
  const attack = planAttack(rng, provider, plans);
  const trail = [
    ...plans.flatMap((plan) => tenantNoise(rng, plan)),
    ...providerNoise(rng, provider, plans),
    ...attack.events,
  ];
  const eve = buildEve(rng, total, attack);

  const tenantsFile = join(opts.dir, 'tenants.json');
  const alertsFile = join(opts.dir, 'alerts.eve.json');
  const cloudtrailDir = join(opts.dir, 'cloudtrail');
  await mkdir(opts.dir, { recursive: true });
  await rm(cloudtrailDir, { recursive: true, force: true });
  await writeFile(tenantsFile, `${JSON.stringify({ tenants }, null, 2)}\n`);
  await writeFile(alertsFile, eve.map(({ line }) => `${JSON.stringify(line)}\n`).join(''));
  const cloudtrailFiles = await writeCloudTrail(rng, cloudtrailDir, trail);

  const minute = 60_000;
  return {
    dir: opts.dir,
    seed,
    tenantsFile,
    alertsFile,
    cloudtrailDir,
    providerAccountId: provider,
    attacker: {
      principalArn: attack.attacker.arn,
      sourceIp: attack.attacker.ip,
      from: isoSeconds(Math.floor(attack.firstMs / minute) * minute),
      to: isoSeconds((Math.floor(attack.lastMs / minute) + 1) * minute),
    },
    expected: {
      tenants: tenants.length,
      ...expectScope(trail, tenants, attack.attacker),
      deniedTenantId: attack.deniedTenantId,
      ...expectAlerts(eve),
      cloudtrailFiles,
      cloudtrailRecords: trail.length,
    },
    attackSignature: ATTACK_SIGNATURE,
    attackSignatureId: ATTACK_SID,
  };
}
