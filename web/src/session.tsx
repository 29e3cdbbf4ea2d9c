/**
 * Who is signed in. The server keeps the session in an HttpOnly cookie; the console learns the
 * person and the CSRF token from /api/v1/auth/me (or from signing in) and nothing else.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { api, ApiError, setCsrfToken } from './api.ts';

export interface Person {
  id: string;
  email: string;
  displayName: string | null;
  role: string;
  tenantId: string | null;
}

interface Me {
  person: Person | null;
  csrfToken: string | null;
}

interface Session {
  person: Person | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

async function fetchMe(): Promise<Me> {
  try {
    const me = await api.get<Me>('/api/v1/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    // Not signed in is an answer, not a failure.
    if (error instanceof ApiError && error.status === 401) return { person: null, csrfToken: null };
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: 60_000 });

  const session: Session = {
    person: me.data?.person ?? null,
    loading: me.isPending,
    async signIn(email, password) {
      const opened = await api.post<Me>('/api/v1/auth/login', { email, password });
      setCsrfToken(opened.csrfToken);
      // Nothing read as someone else (or as no one) may show through.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      client.setQueryData(['me'], opened);
    },
    async signOut() {
      await api.post('/api/v1/auth/logout').catch(() => undefined);
      setCsrfToken(null);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      client.setQueryData(['me'], { person: null, csrfToken: null });
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Roles that work investigations (may read the queue); the others get their own views. */
export const RESPONSE_ROLES = [
  'admin',
  'incident_manager',
  'executive_incident_manager',
  'responder',
  'investigator',
  'legal',
];

export function isResponder(person: Person | null): boolean {
  return person !== null && RESPONSE_ROLES.includes(person.role);
}
