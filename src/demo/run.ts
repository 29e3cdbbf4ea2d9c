/**
 * The demo: the whole main job on a generated scenario, through the same code paths the API
 * and CLI use. It checks its own outcome against what the generator wrote, so a demo that
 * "finishes" with the wrong tenants notified fails loudly instead.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { and, desc, eq, ne } from 'drizzle-orm';
import { verifyAuditLog } from '../audit/log.ts';
import { cliActor } from '../auth/actor.ts';
import { ingestRecords } from '../intake/ingest.ts';
import { readRecords } from '../intake/records.ts';
import { adapterFor } from '../intake/registry.ts';
import {
  declareCrsi,
  moveStage,
  rateInvestigation,
  writePostmortem,
} from '../investigations/workflow.ts';
import { listClocks } from '../investigations/clocks.ts';
import { decideObligation } from '../investigations/obligations.ts';
import { approveNotice } from '../notify/approve.ts';
import { createTransport } from '../notify/transport.ts';
import { deliverDue } from '../notify/worker.ts';
import { scopeInvestigation } from '../scoping/run.ts';
import type { Store } from '../store/db.ts';
import { investigations, notices } from '../store/schema.ts';
import { importTenants } from '../tenants/import.ts';
import { generateScenario } from './scenario.ts';

export interface DemoResult {
  investigation: string;
  investigationId: string;
  stage: string;
  classification: string | null;
  severity: string;
  affectedTenants: number;
  noticesDelivered: number;
  auditVerified: boolean;
}

export interface DemoOptions {
  store: Store;
  /** Where the scenario files and the .eml outbox go. */
  workDir: string;
  smtpUrl: string | null;
  seed?: number;
  progress: (message: string) => void;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { db } = opts.store;
  const say = opts.progress;
  const responder = cliActor('responder', 'demo-oncall');
  const manager = cliActor('incident_manager', 'demo-incident-manager');
  const legal = cliActor('legal', 'demo-counsel');

  const scenario = await generateScenario({ dir: join(opts.workDir, 'scenario'), seed: opts.seed });
  say(`scenario written to ${scenario.dir}`);

  const tenantsJson: unknown = JSON.parse(await readFile(scenario.tenantsFile, 'utf8'));
  const imported = await importTenants(db, tenantsJson, cliActor('admin', 'demo-admin'));
  say(`imported ${imported.tenants} tenants (${imported.breachContacts} breach contacts added)`);

  const ingest = await ingestRecords(db, adapterFor('suricata'), readRecords(scenario.alertsFile), {
    actor: cliActor('admin', 'demo-sensor'),
    // Each demo is a sensor of its own: a scenario generated again into the same database
    // (a PostgreSQL server keeps earlier demos) carries the same event ids, and from one
    // sender those would be repeats of the last demo's alerts.
    source: `demo-sensor-${Date.now()}`,
  });
  say(
    `ingested alerts: ${ingest.accepted} accepted, ${ingest.duplicates} duplicates, ` +
      `${ingest.repeats} repeats, ${ingest.skipped} skipped, ${ingest.rejected} rejected`,
  );

  const [attack] = await db
    .select()
    .from(investigations)
    .where(
      and(eq(investigations.title, scenario.attackSignature), ne(investigations.stage, 'close')),
    )
    .orderBy(desc(investigations.openedAt))
    .limit(1);
  if (!attack) throw new Error('demo: the attack alert did not open an investigation');
  const id = attack.id;
  say(`INV-${attack.number} opened from "${attack.title}" (${attack.signalCount} signals)`);

  await moveStage(db, responder, id, { to: 'assess', reason: 'on-call responder took the page' });
  const rated = await rateInvestigation(db, responder, id, {
    functionalImpact: 'low',
    informationImpact: ['privacy', 'proprietary'],
    recoverability: 'supplemented',
    customerDataRisk: 'imminent',
    reason: 'instance role credentials used from an outside address against tenant buckets',
  });
  say(`rated: severity ${rated.severity}, priority ${rated.priority}`);
  await moveStage(db, responder, id, { to: 'diagnose', reason: 'possible customer data exposure' });

  const scope = await scopeInvestigation(db, responder, id, {
    paths: [join(scenario.cloudtrailDir, '**', '*.json.gz')],
    format: 'cloudtrail',
    indicators: {
      principals: [scenario.attacker.principalArn],
      sourceIps: [scenario.attacker.sourceIp],
      from: scenario.attacker.from,
      to: scenario.attacker.to,
    },
  });
  const affected = scope.result.tenants.map((t) => t.tenantId).sort();
  say(`scoped ${scope.result.files.length} CloudTrail files: affected ${affected.join(', ')}`);
  assertSame(affected, scenario.expected.affectedTenantIds, 'affected tenants');

  await declareCrsi(db, manager, id, {
    grounds: ['unauthorized_access', 'duty_to_notify'],
    evidence:
      'CloudTrail shows the stolen instance role reading objects of the affected tenants from ' +
      `${scenario.attacker.sourceIp}; the reads succeeded.`,
    notice: {
      contactName: 'Cirrusfield Security Response',
      contactEmail: 'security@cirrusfield.example',
    },
  });
  const drafts = await db.select().from(notices).where(eq(notices.investigationId, id));
  for (const n of drafts) await approveNotice(db, manager, n.id);
  say(`declared a CRSI; approved ${drafts.length} notices`);

  const outboxDir = join(opts.workDir, 'outbox');
  await mkdir(outboxDir, { recursive: true });
  const transport = createTransport({ smtpUrl: opts.smtpUrl, outboxDir });
  const tally = await deliverDue(db, transport).finally(() => transport.close());
  const where = opts.smtpUrl ? 'over SMTP' : `to ${outboxDir}`;
  say(`delivered ${tally.sent} messages (${tally.failed} failed) ${where}`);

  // The provider processes the tenants' data: each tenant, as controller, files with its own
  // authority. That is recorded as a decision, so the Art. 33(1) duty was visibly considered.
  for (const c of await listClocks(db, id)) {
    if (c.status !== 'to_decide') continue;
    await decideObligation(db, legal, c.id, {
      decision: 'not_required',
      rationale:
        'we act as processor for the affected data; each controller files with its own authority',
    });
  }
  await moveStage(db, responder, id, { to: 'stabilize', reason: 'role credentials revoked' });
  await writePostmortem(db, manager, id, {
    summary: 'An instance role was stolen through a proxy and used to read tenant objects.',
    rootCause: 'The instance metadata service answered requests relayed by the web proxy.',
    lessons: 'Require IMDSv2 everywhere; alert on role use from outside the provider network.',
    actions: ['Enforce IMDSv2 on all instances', 'Add a detection for off-network role use'],
  });
  const closed = await moveStage(db, manager, id, { to: 'close', reason: 'post-mortem complete' });

  const verdict = await verifyAuditLog(db);
  say(`audit log ${verdict.ok ? 'verified' : 'BROKEN'}: ${verdict.entries} entries`);

  return {
    investigation: `INV-${closed.number}`,
    investigationId: id,
    stage: closed.stage,
    classification: closed.classification,
    severity: closed.severity,
    affectedTenants: affected.length,
    noticesDelivered: tally.sent,
    auditVerified: verdict.ok,
  };
}

function assertSame(actual: string[], expected: string[], what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify([...expected].sort())) {
    throw new Error(
      `demo: ${what} ${actual.join(',')} differ from the scenario's ${expected.join(',')}`,
    );
  }
}
