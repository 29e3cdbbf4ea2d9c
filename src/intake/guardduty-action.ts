/**
 * Who talked to whom in a GuardDuty finding's `service.action`. Each action type keeps its
 * remote party in its own object (`awsApiCallAction.remoteIpDetails`, …), and only a network
 * connection says which way it went.
 */
import { isObject, objectsIn } from './json-values.ts';
import type { ObservableInput } from './observables.ts';
import { ipOrNull, textOrNull, valueAt } from './outcome.ts';

/** The addresses and names an action mentions, with the source and destination picked out. */
export interface GuarddutyAction {
  sourceIp: string | null;
  destinationIp: string | null;
  observables: ObservableInput[];
}

/** Reads `service.action` (any value; nothing here rejects a record). */
export function guarddutyAction(action: unknown): GuarddutyAction {
  if (!isObject(action)) return { sourceIp: null, destinationIp: null, observables: [] };
  const at = (path: string): unknown => valueAt(action, path);

  const apiCaller = addressOf(at('awsApiCallAction.remoteIpDetails'));
  const kubernetesCaller = addressOf(at('kubernetesApiCallAction.remoteIpDetails'));
  const loginSource = addressOf(at('rdsLoginAttemptAction.remoteIpDetails'));

  // networkConnectionAction.connectionDirection: INBOUND means the remote host connected in.
  const outbound = at('networkConnectionAction.connectionDirection') === 'OUTBOUND';
  const connectionRemote = addressOf(at('networkConnectionAction.remoteIpDetails'));
  const connectionLocal = addressOf(at('networkConnectionAction.localIpDetails'));

  const probeList = objectsIn(at('portProbeAction.portProbeDetails'));
  const probers = probeList.map((probe) => addressOf(probe.remoteIpDetails));
  const probed = probeList.map((probe) => addressOf(probe.localIpDetails));

  const sourceIp =
    apiCaller ??
    kubernetesCaller ??
    loginSource ??
    (outbound ? connectionLocal : connectionRemote) ??
    firstOf(probers);
  const destinationIp = (outbound ? connectionRemote : connectionLocal) ?? firstOf(probed);

  return {
    sourceIp,
    destinationIp,
    observables: [
      { kind: 'ip', value: sourceIp, tag: 'source' },
      { kind: 'ip', value: destinationIp, tag: 'destination' },
      { kind: 'ip', value: connectionRemote, tag: 'remote' },
      ...probers.map((ip) => ({ kind: 'ip' as const, value: ip, tag: 'remote' })),
      { kind: 'domain', value: at('awsApiCallAction.domainDetails.domain'), tag: 'caller' },
      { kind: 'domain', value: at('dnsRequestAction.domain'), tag: 'dns-request' },
      ...affectedResources(at('awsApiCallAction.affectedResources')),
    ],
  };
}

/** `remoteIpDetails` and `localIpDetails` carry ipAddressV4 or ipAddressV6. */
function addressOf(details: unknown): string | null {
  if (!isObject(details)) return null;
  return ipOrNull(details.ipAddressV4) ?? ipOrNull(details.ipAddressV6);
}

/** `affectedResources` maps a CloudFormation resource type to the ARN the call touched. */
function affectedResources(resources: unknown): ObservableInput[] {
  if (!isObject(resources)) return [];
  return Object.values(resources)
    .filter((arn) => textOrNull(arn) !== null)
    .map((arn) => ({ kind: 'resource' as const, value: arn, tag: 'affected' }));
}

function firstOf(values: (string | null)[]): string | null {
  return values.find((value) => value !== null) ?? null;
}
