/**
 * fast-check generators of nearly valid cloud and EDR findings (GuardDuty, ASFF, Microsoft
 * Graph alerts, CrowdStrike detection summaries). Every field is usually right and sometimes
 * anything at all, so random input gets past the first checks and exercises the deep ones.
 */
import fc from 'fast-check';

/** Mostly `valid`, sometimes any value (including none of the right type). */
function usually<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.anything() });
}

function fields(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return usually(fc.record(shape, { requiredKeys: [] }));
}

const id = usually(fc.stringMatching(/^[0-9a-f]{8,32}$/));
const isoTime = usually(
  fc.oneof(
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom('2024-05-24 22:53:24.000000000', '2024-01-01T10:00:00.1234567Z', 'soon'),
  ),
);
const ip = usually(fc.oneof(fc.ipV4(), fc.ipV6()));
const name = usually(fc.string({ minLength: 1, maxLength: 20 }));

const guarddutyFinding = fc.record(
  {
    id,
    type: usually(fc.constantFrom('Recon:EC2/PortProbeUnprotectedPort', 'UnauthorizedAccess')),
    title: name,
    severity: usually(fc.oneof(fc.double({ min: -1, max: 11 }), fc.constantFrom('5.0', 8))),
    updatedAt: isoTime,
    createdAt: isoTime,
    accountId: name,
    resource: fields({
      resourceType: name,
      instanceDetails: fields({
        instanceId: name,
        networkInterfaces: usually(fc.array(fields({ privateIpAddress: ip, publicIp: ip }))),
      }),
      accessKeyDetails: fields({ userName: name, principalId: name, accessKeyId: name }),
      s3BucketDetails: usually(fc.array(fields({ arn: name }))),
    }),
    service: fields({
      archived: usually(fc.boolean()),
      action: fields({
        awsApiCallAction: fields({
          remoteIpDetails: fields({ ipAddressV4: ip }),
          domainDetails: fields({ domain: name }),
          affectedResources: usually(fc.dictionary(fc.string(), name)),
        }),
        networkConnectionAction: fields({
          connectionDirection: usually(fc.constantFrom('INBOUND', 'OUTBOUND')),
          remoteIpDetails: fields({ ipAddressV4: ip }),
          localIpDetails: fields({ ipAddressV6: ip }),
        }),
        portProbeAction: fields({
          portProbeDetails: usually(
            fc.array(fields({ remoteIpDetails: fields({ ipAddressV4: ip }) })),
          ),
        }),
      }),
    }),
  },
  { requiredKeys: [] },
);

/** GuardDuty findings, bare or in an EventBridge envelope, or a GetFindings page. */
export const nearlyValidGuardduty = fc.oneof(
  guarddutyFinding,
  fc.record({ 'detail-type': usually(fc.constant('GuardDuty Finding')), detail: guarddutyFinding }),
  fc.record({ findings: fc.array(guarddutyFinding, { maxLength: 2 }) }),
);

const asffFinding = fc.record(
  {
    Id: id,
    Title: name,
    UpdatedAt: isoTime,
    CreatedAt: isoTime,
    AwsAccountId: name,
    ProductArn: name,
    GeneratorId: name,
    Types: usually(fc.array(name)),
    RecordState: usually(fc.constantFrom('ACTIVE', 'ARCHIVED')),
    Workflow: fields({
      Status: usually(fc.constantFrom('NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED')),
    }),
    Severity: fields({
      Label: usually(fc.constantFrom('INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'x')),
      Normalized: usually(fc.integer({ min: -5, max: 105 })),
    }),
    Resources: usually(
      fc.array(
        fields({
          Type: usually(fc.constantFrom('AwsEc2Instance', 'AwsIamAccessKey', 'AwsS3Bucket')),
          Id: name,
          ResourceRole: usually(fc.constantFrom('Target', 'Actor')),
          Details: fields({ AwsIamAccessKey: fields({ PrincipalName: name, PrincipalId: name }) }),
        }),
      ),
    ),
    Network: fields({ SourceIpV4: ip, DestinationIpV6: ip, SourceDomain: name }),
    Action: fields({
      NetworkConnectionAction: fields({
        ConnectionDirection: usually(fc.constantFrom('INBOUND', 'OUTBOUND')),
        RemoteIpDetails: fields({ IpAddressV4: ip }),
      }),
    }),
    ThreatIntelIndicators: usually(
      fc.array(
        fields({ Type: usually(fc.constantFrom('IPV4_ADDRESS', 'HASH_SHA256')), Value: name }),
      ),
    ),
    Vulnerabilities: usually(fc.array(fields({ Id: usually(fc.constant('CVE-2024-3094')) }))),
  },
  { requiredKeys: [] },
);

/** ASFF findings, bare, in an EventBridge envelope, or in a GetFindings answer. */
export const nearlyValidAsff = fc.oneof(
  asffFinding,
  fc.record({
    'detail-type': usually(fc.constant('Security Hub Findings - Imported')),
    detail: fields({ findings: usually(fc.array(asffFinding, { maxLength: 2 })) }),
  }),
  fc.record({ Findings: fc.array(asffFinding, { maxLength: 2 }) }),
);

const evidenceType = fc.constantFrom(
  'deviceEvidence',
  'userEvidence',
  'ipEvidence',
  'urlEvidence',
  'fileEvidence',
  'processEvidence',
  'mailboxEvidence',
  'analyzedMessageEvidence',
  'azureResourceEvidence',
);

const graphAlert = fc.record(
  {
    id,
    title: name,
    severity: usually(fc.constantFrom('informational', 'low', 'medium', 'high', 'unknown', 'x')),
    status: usually(fc.constantFrom('new', 'inProgress', 'resolved')),
    lastUpdateDateTime: isoTime,
    createdDateTime: isoTime,
    tenantId: name,
    serviceSource: name,
    detectorId: name,
    evidence: usually(
      fc.array(
        fields({
          '@odata.type': usually(evidenceType.map((type) => `#microsoft.graph.security.${type}`)),
          roles: usually(fc.array(fc.constantFrom('destination', 'attacker', 'source'))),
          deviceDnsName: name,
          ipAddress: ip,
          url: name,
          userAccount: fields({ userPrincipalName: name, accountName: name }),
          fileDetails: fields({ sha256: name, sha1: name }),
          imageFile: fields({ sha256: name }),
          primaryAddress: name,
          urls: usually(fc.array(name)),
          resourceId: name,
        }),
      ),
    ),
  },
  { requiredKeys: [] },
);

/** Graph security alerts (v2) with evidence of every kind the adapter reads, or a list page. */
export const nearlyValidMsgraph = fc.oneof(
  graphAlert,
  fc.record({ value: fc.array(graphAlert, { maxLength: 2 }) }),
);

const detection = fc.record(
  {
    CompositeId: id,
    DetectId: id,
    DetectName: name,
    Name: name,
    Severity: usually(fc.integer({ min: -1, max: 7 })),
    SeverityName: usually(fc.constantFrom('Informational', 'Low', 'Medium', 'High', 'Critical')),
    Tactic: name,
    Technique: name,
    ComputerName: name,
    UserName: name,
    LocalIP: ip,
    OriginSourceIpAddress: ip,
    SHA256String: name,
    MD5String: name,
    UTCTimestamp: usually(fc.oneof(fc.nat(), isoTime)),
    timestamp: isoTime,
    ExternalApiType: usually(fc.constantFrom('Event_EppDetectionSummaryEvent', 'Event_Other')),
  },
  { requiredKeys: [] },
);

/** CrowdStrike detection summaries: flat, in an FDR envelope, or from the streaming API. */
export const nearlyValidCrowdstrike = fc.oneof(
  detection,
  fc.record({
    fdr_event_type: usually(fc.constant('Event_EppDetectionSummaryEvent')),
    event: detection,
  }),
  fc.record({
    metadata: fields({
      eventType: usually(fc.constantFrom('DetectionSummaryEvent', 'AuthActivityAuditEvent')),
      eventCreationTime: usually(fc.oneof(fc.nat(), fc.maxSafeNat())),
      offset: usually(fc.nat()),
    }),
    event: detection,
  }),
);
