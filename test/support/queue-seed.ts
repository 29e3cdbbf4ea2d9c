/**
 * A queue's worth of open investigations, built through the real services (intake, stage
 * moves, classification, corrected awareness), each with what was asked of it, so that tests
 * can work out what the queue should show without asking the code under test.
 */
import { cliActor } from '../../src/auth/actor.ts';
import { correctMoments } from '../../src/investigations/obligations.ts';
import { classifyInvestigation, moveStage } from '../../src/investigations/workflow.ts';
import type { Db } from '../../src/store/db.ts';
import { buildEveAlert, openInvestigation } from './factories.ts';

const responder = cliActor('responder', 'queue-seed');
const legal = cliActor('legal', 'queue-seed');

export interface SeededInvestigation {
  id: string;
  stage: 'detect' | 'assess' | 'diagnose' | 'stabilize';
  severity: 'high' | 'medium' | 'low';
  classification: string | null;
  /** GDPR Art. 33(1): 72 hours after the awareness recorded; null when none was. */
  due: string | null;
}

type OpenStage = SeededInvestigation['stage'];
const STAGE_PATHS: OpenStage[][] = [
  [],
  ['assess'],
  ['assess', 'diagnose'],
  ['assess', 'diagnose', 'stabilize'],
];
const SEVERITIES = ['high', 'medium', 'low'] as const;
const HOUR = 3_600_000;
// Titles as sensors word them, so that a screenshot of the queue reads like one.
const SIGNATURES = [
  'ET EXPLOIT possible data exfiltration over HTTPS',
  'ET POLICY large outbound transfer to cloud storage',
  'ET SCAN SSH brute force attempt',
  'ET MALWARE beacon to known C2 domain',
  'ET INFO anomalous S3 GetObject volume',
  'ET WEB_SERVER SQL injection attempt on /api/login',
];

/** An open investigation from one Suricata alert of the given priority (1 high … 3 low). */
export async function openWithSeverity(db: Db, sid: number, priority: number): Promise<string> {
  const alert = buildEveAlert({ sid, src: `198.51.100.${sid % 250}` });
  const signature = SIGNATURES[sid % SIGNATURES.length] ?? alert.alert.signature;
  return openInvestigation(db, {
    ...alert,
    alert: { ...alert.alert, signature, severity: priority },
  });
}

/**
 * `count` open investigations: stage, severity and classification cycle with different
 * periods, and all but every fifth get an awareness moment hours apart in an order unlike
 * their numbers, so that each sort gives a different order.
 */
export async function seedQueue(db: Db, count: number, now = Date.now()) {
  const seeded: SeededInvestigation[] = [];
  for (let i = 0; i < count; i++) {
    const severity = SEVERITIES[i % 3] ?? 'low';
    const id = await openWithSeverity(db, 9_300_000 + i, (i % 3) + 1);
    const path = STAGE_PATHS[i % 4] ?? [];
    const classification = i % 3 === 1 && path.length > 0 ? 'security_incident' : null;
    if (classification) {
      await moveStage(db, responder, id, { to: 'assess', reason: 'looking at it' });
      await classifyInvestigation(db, responder, id, { classification });
    }
    for (const to of path.slice(classification ? 1 : 0)) {
      await moveStage(db, responder, id, { to, reason: 'next step' });
    }

    let due: string | null = null;
    if (i % 5 !== 4) {
      // Distinct for every i below 14 (5 and 14 share no factor), in no order of i; every
      // seventh learnt of four days ago, so that its deadline has passed.
      const hoursAgo = i % 7 === 3 ? 96 + i : ((i * 5) % 14) + 1;
      const awareAt = new Date(now - hoursAgo * HOUR - 60_000);
      await correctMoments(db, legal, id, {
        awareAt: awareAt.toISOString(),
        reason: 'awareness recorded by legal',
      });
      due = new Date(awareAt.getTime() + 72 * HOUR).toISOString();
    }
    seeded.push({ id, stage: path.at(-1) ?? 'detect', severity, classification, due });
  }
  return seeded;
}

/** The queue order by nearest deadline: earliest first, none last, then by opening order. */
export function byDeadline(list: readonly SeededInvestigation[]): SeededInvestigation[] {
  const index = new Map(list.map((s, i) => [s.id, i]));
  return [...list].sort((a, b) => {
    if (a.due !== b.due) {
      if (a.due === null) return 1;
      if (b.due === null) return -1;
      return a.due < b.due ? -1 : 1;
    }
    return (index.get(a.id) ?? 0) - (index.get(b.id) ?? 0);
  });
}
