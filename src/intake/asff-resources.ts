/**
 * What an ASFF finding's `Resources[]` say about who and what is involved: the resource the
 * finding is about, the acting IAM identity, the EC2 instance, and every resource id. ASFF
 * keeps type-specific fields under `Resources[].Details.<Type>`. Nothing here rejects.
 */
import { isObject, objectsIn } from './json-values.ts';
import type { ObservableInput } from './observables.ts';
import { textOrNull, valueAt } from './outcome.ts';

/** The parts of `Resources[]` a signal needs. */
export interface AsffResources {
  /** The resource with ResourceRole Target, else the first one listed. */
  subject: Record<string, unknown> | undefined;
  principal: string | null;
  host: string | null;
  observables: ObservableInput[];
}

/** Reads `Resources` (any value). */
export function asffResources(value: unknown): AsffResources {
  const resources = objectsIn(value);
  const target = resources.find((r) => textOrNull(r.ResourceRole)?.toLowerCase() === 'target');

  return {
    subject: target ?? resources[0],
    principal: principalOf(resources),
    host: hostOf(resources),
    observables: resources.map((resource) => ({
      kind: 'resource' as const,
      value: resource.Id,
      tag: textOrNull(resource.ResourceRole)?.toLowerCase() ?? 'resource',
    })),
  };
}

/**
 * The identity acting in the finding: the principal of an IAM access key resource, else the
 * user of an IAM user resource. ASFF keeps these under Resources[].Details by resource type.
 */
function principalOf(resources: Record<string, unknown>[]): string | null {
  for (const resource of resources) {
    const key = valueAt(resource, 'Details.AwsIamAccessKey');
    if (isObject(key)) {
      const name = textOrNull(key.PrincipalName) ?? textOrNull(key.UserName);
      const principal = name ?? textOrNull(key.PrincipalId);
      if (principal !== null) return principal;
    }
    const user = textOrNull(valueAt(resource, 'Details.AwsIamUser.UserName'));
    if (user !== null) return user;
  }
  return null;
}

/** The EC2 instance id (`i-…`) of the first AwsEc2Instance resource; its Id is usually an ARN. */
function hostOf(resources: Record<string, unknown>[]): string | null {
  const instance = resources.find((resource) => resource.Type === 'AwsEc2Instance');
  const id = textOrNull(instance?.Id);
  if (id === null) return null;
  return /(?:^|\/)(i-[0-9a-f]+)$/.exec(id)?.[1] ?? id;
}
