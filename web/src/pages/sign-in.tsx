import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { useSession } from '../session.tsx';

export function SignIn() {
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const methods = useQuery({
    queryKey: ['auth-methods'],
    queryFn: () => api.get<{ password: boolean; oidc: boolean }>('/api/v1/auth/methods'),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(email, password);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Breachdesk</h1>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorNote error={error} />
      </form>
      {methods.data?.oidc && (
        <p className="sign-in-oidc">
          {/* A full navigation: the provider's pages are not part of this app. */}
          <a href="/api/v1/auth/oidc/start">Sign in with your organisation's account</a>{' '}
          <span className="muted">(OpenID Connect)</span>
        </p>
      )}
    </main>
  );
}
