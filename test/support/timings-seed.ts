/**
 * Investigations for the dashboards' timings, driven through the real services (intake,
 * rating, classification, scoping, declaration, approval and delivery) with the clock set to
 * chosen instants, so that every figure can be worked out by hand:
 *
 * - automated_alert, September 2026: A (signal 08:00, opened 09:00, rated 11:00, false
 *   positive) and B (signal 06:00, opened 09:00, rated 09:30, security incident): detect
 *   median 2 h, max 3 h; assess median 1 h 15 min, max 2 h.
 * - internal_report, October 2026: C (signal 07:00, opened 09:00, rated 10:00, declared a CRSI
 *   at 19:00 with awareness at 12:00, acme's notice delivered at 20:00): detect 2 h, assess
 *   1 h, declare 10 h, notify 8 h against a 24 h deadline, met.
 * - automated_alert, October 2026: D (signal 23:30 on 30 September, opened 00:30 on
 *   1 October, unclassified): detect 1 h, in October by its opening.
 *
 * Needs tenant `acme` with a breach contact. Fakes Date (vi) while seeding and restores the
 * real clock before returning; call it from a vitest test or hook.
 */
import { vi } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import {
  classifyInvestigation,
  declareCrsi,
  moveStage,
  rateInvestigation,
} from '../../src/investigations/workflow.ts';
import type { Db } from '../../src/store/db.ts';
import { approveAndDeliver, noticeOf, scope } from '../notify/declared-investigation.ts';
import { buildEveAlert, openInvestigation } from './factories.ts';

const responder = cliActor('responder', 'timings-seed');
const manager = cliActor('incident_manager', 'timings-seed');

const RATING = {
  functionalImpact: 'low',
  informationImpact: ['none'],
  recoverability: 'regular',
  customerDataRisk: 'none',
};

export interface TimingsSeed {
  a: string;
  b: string;
  c: string;
  d: string;
}

async function at<T>(instant: string, step: () => Promise<T>): Promise<T> {
  vi.setSystemTime(new Date(instant));
  return step();
}

async function openAlert(db: Db, sid: number, signalAt: string, openedAt: string) {
  const alert = buildEveAlert({ sid, src: `198.51.100.${sid % 200}`, ts: signalAt });
  return at(openedAt, () => openInvestigation(db, alert));
}

async function openReport(db: Db, signalAt: string, openedAt: string): Promise<string> {
  const record = {
    time: signalAt,
    title: 'Staff member reports exported customer list on a share',
    sourceKind: 'internal_report',
    severity: 'medium',
  };
  const summary = await at(openedAt, () =>
    ingestRecords(db, adapterFor('generic'), [{ line: 1, record }], {
      actor: cliActor('admin'),
      keepAllResults: true,
    }),
  );
  const first = summary.results[0];
  if (!first || !('investigationId' in first) || first.investigationId === null) {
    throw new Error('the report did not open an investigation');
  }
  return first.investigationId;
}

export async function seedTimings(db: Db): Promise<TimingsSeed> {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    const a = await openAlert(db, 9_400_001, '2026-09-10T08:00:00.000Z', '2026-09-10T09:00:00Z');
    await at('2026-09-10T11:00:00Z', () => rateInvestigation(db, responder, a, RATING));
    await at('2026-09-10T11:05:00Z', () =>
      classifyInvestigation(db, responder, a, {
        classification: 'false_positive',
        rootCause: 'vulnerability scanner of our own',
      }),
    );

    const b = await openAlert(db, 9_400_002, '2026-09-20T06:00:00.000Z', '2026-09-20T09:00:00Z');
    await at('2026-09-20T09:30:00Z', () => rateInvestigation(db, responder, b, RATING));
    await at('2026-09-20T09:35:00Z', () =>
      classifyInvestigation(db, responder, b, { classification: 'security_incident' }),
    );

    const c = await openReport(db, '2026-10-05T07:00:00Z', '2026-10-05T09:00:00Z');
    await at('2026-10-05T10:00:00Z', async () => {
      await rateInvestigation(db, responder, c, { ...RATING, informationImpact: ['privacy'] });
      await moveStage(db, responder, c, { to: 'assess', reason: 'paged' });
      await moveStage(db, responder, c, { to: 'diagnose', reason: 'customer data at risk' });
      await scope(db, c, ['acme']);
    });
    await at('2026-10-05T19:00:00Z', () =>
      declareCrsi(db, manager, c, {
        grounds: ['unauthorized_access'],
        evidence: 'the share was readable by everyone in the company for a week',
        awareAt: '2026-10-05T12:00:00Z',
      }),
    );
    const notice = await noticeOf(db, c, 'acme', 'tenant');
    await at('2026-10-05T20:00:00Z', () => approveAndDeliver(db, notice.id));

    const d = await openAlert(db, 9_400_003, '2026-09-30T23:30:00.000Z', '2026-10-01T00:30:00Z');
    return { a, b, c, d };
  } finally {
    vi.useRealTimers();
  }
}
