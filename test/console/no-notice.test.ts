/** The notices panel's words when there is no notice: what would draft one. */
import { describe, expect, it } from 'vitest';
import { noNoticeWhy } from '../../web/src/investigation/no-notice.ts';
import type { AffectedTenant } from '../../web/src/investigation/types.ts';

const acme = { tenantId: 't-acme', tenantName: 'Acme' } as AffectedTenant;

describe('no notice yet', () => {
  it('waits on a declaration first', () => {
    const inv = { declaredAt: null, scoping: { runId: 'run-1', tenants: [acme] } };
    expect(noNoticeWhy(inv)).toContain('drafted when a CRSI is declared');
  });

  it('asks for scoping once declared without a run', () => {
    const inv = { declaredAt: '2026-12-01T10:00:00Z', scoping: { runId: null, tenants: [] } };
    expect(noNoticeWhy(inv)).toContain('declared, but not scoped. Run scoping');
  });

  it('says the run found no one when it did not', () => {
    const inv = { declaredAt: '2026-12-01T10:00:00Z', scoping: { runId: 'run-1', tenants: [] } };
    expect(noNoticeWhy(inv)).toContain('found no affected tenant');
  });

  it('never claims a declaration is missing once there is one', () => {
    for (const scoping of [
      { runId: null, tenants: [] },
      { runId: 'run-1', tenants: [] },
      { runId: 'run-1', tenants: [acme] },
    ]) {
      expect(noNoticeWhy({ declaredAt: '2026-12-01T10:00:00Z', scoping })).not.toContain(
        'when a CRSI is declared',
      );
    }
  });
});
