/**
 * The network side of an ASFF finding: addresses and names from `Network`, `Action`, the
 * flattened GuardDuty fields some products leave in `ProductFields`, and
 * `ThreatIntelIndicators`. Nothing here rejects a record; unusable values are ignored.
 */
import type { ObservableKind } from '../domain/types.ts';
import { isObject, objectsIn } from './json-values.ts';
import type { ObservableInput } from './observables.ts';
import { ipOrNull, valueAt } from './outcome.ts';

/** Source and destination picked out of a finding, and every indicator it names. */
export interface AsffNetwork {
  sourceIp: string | null;
  destinationIp: string | null;
  observables: ObservableInput[];
}

// GuardDuty findings imported into Security Hub keep the caller's address only here.
const GUARDDUTY_CALLER =
  'aws/guardduty/service/action/awsApiCallAction/remoteIpDetails/ipAddressV4';

// ThreatIntelIndicators[].Type values (ASFF) and the observable kind each one is.
const INDICATOR_KINDS: Record<string, ObservableKind> = {
  IPV4_ADDRESS: 'ip',
  IPV6_ADDRESS: 'ip',
  DOMAIN: 'domain',
  URL: 'url',
  EMAIL_ADDRESS: 'email',
  HASH_MD5: 'hash',
  HASH_SHA1: 'hash',
  HASH_SHA256: 'hash',
  HASH_SHA512: 'hash',
};

/** Reads the network fields of one finding. */
export function asffNetwork(finding: Record<string, unknown>): AsffNetwork {
  const at = (path: string): unknown => valueAt(finding, path);

  const apiCaller = ipOrNull(at('Action.AwsApiCallAction.RemoteIpDetails.IpAddressV4'));
  // ConnectionDirection INBOUND: the remote host connected in, so it is the source.
  const connectionRemote = ipOrNull(
    at('Action.NetworkConnectionAction.RemoteIpDetails.IpAddressV4'),
  );
  const outbound = at('Action.NetworkConnectionAction.ConnectionDirection') === 'OUTBOUND';
  const probes = objectsIn(at('Action.PortProbeAction.PortProbeDetails'));
  const probers = probes.map((probe) => ipOrNull(valueAt(probe, 'RemoteIpDetails.IpAddressV4')));
  const probed = probes.map((probe) => ipOrNull(valueAt(probe, 'LocalIpDetails.IpAddressV4')));
  const productFields = at('ProductFields');
  const guarddutyCaller = isObject(productFields)
    ? ipOrNull(productFields[GUARDDUTY_CALLER])
    : null;

  const sourceIp =
    ipOrNull(at('Network.SourceIpV4')) ??
    ipOrNull(at('Network.SourceIpV6')) ??
    apiCaller ??
    (outbound ? null : connectionRemote) ??
    firstOf(probers) ??
    guarddutyCaller;
  const destinationIp =
    ipOrNull(at('Network.DestinationIpV4')) ??
    ipOrNull(at('Network.DestinationIpV6')) ??
    (outbound ? connectionRemote : null) ??
    firstOf(probed);

  return {
    sourceIp,
    destinationIp,
    observables: [
      { kind: 'ip', value: sourceIp, tag: 'source' },
      { kind: 'ip', value: destinationIp, tag: 'destination' },
      { kind: 'ip', value: connectionRemote, tag: 'remote' },
      ...probers.map((ip) => ({ kind: 'ip' as const, value: ip, tag: 'remote' })),
      { kind: 'domain', value: at('Network.SourceDomain'), tag: 'source' },
      { kind: 'domain', value: at('Network.DestinationDomain'), tag: 'destination' },
      { kind: 'domain', value: at('Action.AwsApiCallAction.DomainDetails.Domain'), tag: 'caller' },
      { kind: 'domain', value: at('Action.DnsRequestAction.Domain'), tag: 'dns-request' },
      ...indicators(at('ThreatIntelIndicators')),
    ],
  };
}

function indicators(list: unknown): ObservableInput[] {
  return objectsIn(list).flatMap((indicator) => {
    const kind = typeof indicator.Type === 'string' ? INDICATOR_KINDS[indicator.Type] : undefined;
    return kind === undefined ? [] : [{ kind, value: indicator.Value, tag: 'threat-intel' }];
  });
}

function firstOf(values: (string | null)[]): string | null {
  return values.find((value) => value !== null) ?? null;
}
