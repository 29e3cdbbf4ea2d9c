/**
 * The `evidence[]` of a Microsoft Graph security alert (v2): devices, users, addresses, URLs,
 * files, mailboxes and cloud resources, each typed by `@odata.type`. Field names follow the
 * Graph `alertEvidence` resource types (learn.microsoft.com/graph/api/resources/
 * security-alertevidence). Nothing here rejects a record; unusable entries are ignored.
 */
import { isObject, objectsIn } from './json-values.ts';
import type { ObservableInput } from './observables.ts';
import { ipOrNull, textOrNull, valueAt } from './outcome.ts';

/** What the evidence says about the alert's host, user and addresses. */
export interface GraphEvidence {
  host: string | null;
  principal: string | null;
  sourceIp: string | null;
  destinationIp: string | null;
  observables: ObservableInput[];
}

// Evidence roles that make an address the far end of a connection rather than its origin.
const DESTINATION_ROLES = new Set(['destination', 'commandAndControl']);

/** Reads `evidence` (any value). */
export function graphEvidence(evidence: unknown): GraphEvidence {
  const items = objectsIn(evidence).map((item) => ({ type: typeOf(item), item }));
  const ofType = (type: string): Record<string, unknown>[] =>
    items.filter((entry) => entry.type === type).map((entry) => entry.item);

  const hosts = ofType('deviceEvidence').map((device) => textOrNull(device.deviceDnsName));
  const principals = ofType('userEvidence').map((user) => principalOf(user.userAccount));
  const addresses = ofType('ipEvidence').map((ip) => ({
    ip: ipOrNull(ip.ipAddress),
    toward: rolesOf(ip).some((role) => DESTINATION_ROLES.has(role)),
  }));

  const sourceIp = addresses.find((address) => !address.toward && address.ip)?.ip ?? null;
  const destinationIp = addresses.find((address) => address.toward && address.ip)?.ip ?? null;

  return {
    host: firstOf(hosts),
    principal: firstOf(principals),
    sourceIp,
    destinationIp,
    observables: [
      { kind: 'ip', value: sourceIp, tag: 'source' },
      { kind: 'ip', value: destinationIp, tag: 'destination' },
      ...addresses.map(({ ip }) => ({ kind: 'ip' as const, value: ip, tag: 'evidence' })),
      ...items.flatMap(({ type, item }) => observablesOf(type, item)),
    ],
  };
}

/** Indicators of one evidence entry, by its type. */
function observablesOf(type: string, item: Record<string, unknown>): ObservableInput[] {
  const at = (path: string): unknown => valueAt(item, path);

  switch (type) {
    case 'deviceEvidence':
      return [
        { kind: 'domain', value: item.deviceDnsName, tag: 'device' },
        ...listOf(item.ipInterfaces).map((ip) => ({
          kind: 'ip' as const,
          value: ip,
          tag: 'device',
        })),
      ];
    case 'userEvidence':
      return [{ kind: 'principal', value: principalOf(item.userAccount), tag: 'user' }];
    case 'urlEvidence':
      return [{ kind: 'url', value: item.url, tag: 'evidence' }];
    case 'fileEvidence':
      return hashes(item.fileDetails, 'file');
    case 'processEvidence':
      return [
        ...hashes(item.imageFile, 'process'),
        { kind: 'principal', value: principalOf(item.userAccount), tag: 'process-user' },
      ];
    case 'mailboxEvidence':
      return [{ kind: 'email', value: item.primaryAddress, tag: 'mailbox' }];
    case 'analyzedMessageEvidence':
      return [
        { kind: 'ip', value: item.senderIp, tag: 'sender' },
        { kind: 'email', value: at('p1Sender.emailAddress'), tag: 'sender' },
        { kind: 'email', value: at('p2Sender.emailAddress'), tag: 'sender' },
        { kind: 'email', value: item.recipientEmailAddress, tag: 'recipient' },
        ...listOf(item.urls).map((url) => ({ kind: 'url' as const, value: url, tag: 'message' })),
      ];
    case 'azureResourceEvidence':
      return [{ kind: 'resource', value: item.resourceId, tag: 'azure' }];
    case 'amazonResourceEvidence':
      return [{ kind: 'resource', value: item.amazonResourceId, tag: 'aws' }];
    case 'googleCloudResourceEvidence':
      return [{ kind: 'resource', value: item.fullResourceName, tag: 'gcp' }];
    default:
      return [];
  }
}

/**
 * `#microsoft.graph.security.userEvidence` → `userEvidence`. Graph names the key
 * `@odata.type`; Panther's stored copies rename it `at_sign_odata_type`.
 */
function typeOf(item: Record<string, unknown>): string {
  const type = textOrNull(item['@odata.type']) ?? textOrNull(item.at_sign_odata_type) ?? '';
  return type.slice(type.lastIndexOf('.') + 1);
}

/** A userAccount's UPN, else its account name (Graph leaves the UPN empty for local users). */
function principalOf(account: unknown): string | null {
  if (!isObject(account)) return null;
  return textOrNull(account.userPrincipalName) ?? textOrNull(account.accountName);
}

function hashes(file: unknown, tag: string): ObservableInput[] {
  if (!isObject(file)) return [];
  return [file.sha256, file.sha1, file.md5].map((value) => ({ kind: 'hash' as const, value, tag }));
}

function rolesOf(item: Record<string, unknown>): string[] {
  return listOf(item.roles).filter((role): role is string => typeof role === 'string');
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function firstOf(values: (string | null)[]): string | null {
  return values.find((value) => value !== null) ?? null;
}
