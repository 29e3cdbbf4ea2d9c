/**
 * The console's frame: who is signed in decides the home page and the menu (the server decides
 * what each may actually read or do; a hidden link is a convenience, not a control).
 */
import { useEffect, useState } from 'react';
import { BrowserRouter, Navigate, NavLink, Route, Routes } from 'react-router';
import { useLiveUpdates } from './live.ts';
import { AuditLog } from './pages/auditor.tsx';
import { Dashboards } from './pages/dashboards.tsx';
import { Investigation } from './pages/investigation.tsx';
import { Queue } from './pages/queue.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { TenantPortal } from './pages/tenant-portal.tsx';
import { ConfirmContact } from './pages/confirm-contact.tsx';
import { isResponder, type Person, useSession } from './session.tsx';
import { applyTheme, initialTheme, type Theme } from './theme.ts';

function homeOf(person: Person): string {
  if (person.role === 'tenant_admin')
    return `/tenants/${encodeURIComponent(person.tenantId ?? '')}`;
  if (person.role === 'auditor') return '/audit';
  return '/queue';
}

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => applyTheme(theme), [theme]);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" className="link-button" onClick={() => setTheme(next)}>
      {theme === 'dark' ? 'Light mode' : 'Dark mode'}
    </button>
  );
}

function Header({ person }: { person: Person }) {
  const session = useSession();
  // Tenant admins get no system-wide change stream; their portal refetches on a timer.
  const streams = person.role !== 'tenant_admin';
  const live = useLiveUpdates(streams);
  const responder = isResponder(person);
  return (
    <header className="top">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <span className="brand">Breachdesk</span>
      <nav aria-label="Main">
        {responder && <NavLink to="/queue">Queue</NavLink>}
        {responder && <NavLink to="/dashboards">Dashboards</NavLink>}
        {person.role === 'tenant_admin' && <NavLink to={homeOf(person)}>Your tenant</NavLink>}
        {(person.role === 'auditor' || person.role === 'admin') && (
          <NavLink to="/audit">Audit log</NavLink>
        )}
      </nav>
      <span className="who">
        {streams && (
          <span className={`live live-${live}`} title={`updates: ${live}`}>
            {live === 'live' ? '● live' : '○ reconnecting'}
          </span>
        )}
        <span>
          {person.displayName ?? person.email} ({person.role.replaceAll('_', ' ')})
        </span>
        <ThemeToggle />
        <button type="button" className="link-button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </span>
    </header>
  );
}

export function App() {
  const { person, loading } = useSession();
  useEffect(() => applyTheme(initialTheme()), []);

  // A breach contact's confirmation link works without signing in (the link is the proof).
  if (window.location.pathname === '/confirm-contact') return <ConfirmContact />;
  if (loading) return <p className="loading">Loading…</p>;
  return (
    <BrowserRouter>
      {person === null ? (
        <SignIn />
      ) : (
        <>
          <Header person={person} />
          <Routes>
            <Route path="/" element={<Navigate to={homeOf(person)} replace />} />
            <Route path="/queue" element={<Queue />} />
            <Route path="/investigations/:id" element={<Investigation />} />
            <Route path="/dashboards" element={<Dashboards />} />
            <Route path="/tenants/:tenantId" element={<TenantPortal />} />
            <Route path="/audit" element={<AuditLog />} />
            <Route
              path="*"
              element={
                <main id="main">
                  <h1>Not found</h1>
                </main>
              }
            />
          </Routes>
        </>
      )}
    </BrowserRouter>
  );
}
