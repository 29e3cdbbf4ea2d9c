/**
 * Where a breach contact's test e-mail link leads. The token is in the URL fragment, which the
 * browser never sends to the server (nor to its logs); the page posts it once, on a click, and
 * then removes it from the address bar. No sign-in is needed: the link is the proof.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { When } from '../tenant/when.tsx';

function tokenFromFragment(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

export function ConfirmContact() {
  const [token] = useState(tokenFromFragment);
  const confirm = useMutation({
    mutationFn: () => api.post<{ confirmedAt: string }>('/api/v1/contact-confirmations', { token }),
    onSettled: () => {
      // Spent or refused, the token has no more use in the address bar or history.
      window.history.replaceState(null, '', window.location.pathname);
    },
  });

  return (
    <main id="main" className="stack sign-in">
      <h1>Confirm your breach contact address</h1>
      {token === '' && !confirm.data && !confirm.error && (
        <p>This page needs the link from the test e-mail. Open the link from the message.</p>
      )}
      {token !== '' && !confirm.data && (
        <>
          <p>
            Your organisation listed this address for breach notices. Confirm that the test e-mail
            reached you.
          </p>
          <div className="row">
            <button type="button" onClick={() => confirm.mutate()} disabled={confirm.isPending}>
              Confirm this address
            </button>
          </div>
        </>
      )}
      {confirm.data && (
        <p className="ok" role="status">
          Thank you: the address is confirmed (<When at={confirm.data.confirmedAt} />
          ). You can close this page.
        </p>
      )}
      <ErrorNote error={confirm.error} />
    </main>
  );
}
