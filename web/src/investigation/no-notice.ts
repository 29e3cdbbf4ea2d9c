/**
 * Why an investigation has no notice yet, and what would draft one: drafts follow the latest
 * scoping run once a CRSI is declared (src/notify/drafts.ts, syncDrafts).
 */
import type { InvestigationDetail } from './types.ts';

type Facts = Pick<InvestigationDetail, 'declaredAt' | 'scoping'>;

export function noNoticeWhy(inv: Facts): string {
  if (inv.declaredAt === null) {
    return 'No notice yet: notices are drafted when a CRSI is declared.';
  }
  if (inv.scoping.runId === null) {
    return (
      'No notice yet: declared, but not scoped. Run scoping: each affected tenant it finds ' +
      'gets its drafts.'
    );
  }
  if (inv.scoping.tenants.length === 0) {
    return 'No notice yet: declared, but the latest scoping run found no affected tenant.';
  }
  return 'No notice yet.';
}
