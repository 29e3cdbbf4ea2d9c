/**
 * The auditor's view (issue 6.4): post-mortems, the audit log and a check of its hash chain.
 * Read-only; the server decides who may read each part and says so when it refuses.
 */
import { AuditEntries } from '../audit/audit-entries.tsx';
import { Postmortems } from '../audit/postmortems.tsx';
import { VerifyChain } from '../audit/verify-chain.tsx';

export function AuditLog() {
  return (
    <main id="main">
      <h1>Audit</h1>
      <VerifyChain />
      <Postmortems />
      <AuditEntries />
    </main>
  );
}
