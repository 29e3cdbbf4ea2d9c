/**
 * "Verify chain": the server re-checks every audit entry's hash and link (GET
 * /api/v1/audit/verify) and says whether the log is intact or where it first breaks.
 */
import { useMutation } from '@tanstack/react-query';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';

interface Verdict {
  ok: boolean;
  entries: number;
  head?: string;
  brokenAt?: number;
  reason?: string;
}

function VerdictNote({ verdict }: { verdict: Verdict }) {
  if (verdict.ok) {
    return (
      <p className="ok">
        Chain intact: {verdict.entries} entries checked; last hash{' '}
        <code className="hash">{verdict.head ?? '—'}</code>
      </p>
    );
  }
  return (
    <p className="error">
      Chain broken at entry {verdict.brokenAt}: {verdict.reason} ({verdict.entries} entries read)
    </p>
  );
}

export function VerifyChain() {
  // A GET, but run on demand: each click is a fresh check of the whole log.
  const verify = useMutation({ mutationFn: () => api.get<Verdict>('/api/v1/audit/verify') });
  return (
    <section className="panel verify" aria-labelledby="verify-heading">
      <h2 id="verify-heading">Hash chain</h2>
      <div className="row">
        <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
          Verify chain
        </button>
        {verify.isPending && <span className="muted">Checking every entry…</span>}
      </div>
      <div role="status" aria-live="polite" className="verify-result">
        {verify.data && <VerdictNote verdict={verify.data} />}
      </div>
      <ErrorNote error={verify.error} />
    </section>
  );
}
