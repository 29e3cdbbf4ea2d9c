/**
 * The tenant admin's portal: its breach contacts (with test e-mails that confirm them), the
 * breach notices sent to it, and its customer reports. The server decides what is shown: a
 * tenant the caller may not see answers 404, and the page then shows "not found" and nothing
 * else, so that another tenant's id in the URL reveals nothing.
 */
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, ApiError } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { useSession } from '../session.tsx';
import { ContactsPanel } from '../tenant/contacts.tsx';
import { NoticesPanel } from '../tenant/notices.tsx';
import { ReportsPanel } from '../tenant/reports.tsx';
import { type Contact, contactsKey, PORTAL_REFRESH_MS } from '../tenant/types.ts';

export function TenantPortal() {
  const { tenantId = '' } = useParams();
  const { person } = useSession();
  const contacts = useQuery({
    queryKey: contactsKey(tenantId),
    refetchInterval: PORTAL_REFRESH_MS,
    queryFn: () => api.get<Contact[]>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/contacts`),
  });

  if (contacts.error instanceof ApiError && contacts.error.status === 404) {
    return (
      <main id="main">
        <h1>Not found</h1>
        <p>There is nothing here that you may see.</p>
      </main>
    );
  }
  const own = person?.role === 'tenant_admin' && person.tenantId === tenantId;

  return (
    <main id="main" className="stack tenant-portal">
      <h1>{own ? 'Your organisation' : `Tenant ${tenantId}`}</h1>
      {contacts.isPending && <p>Loading…</p>}
      <ErrorNote error={contacts.error} />
      {contacts.data && (
        <div className="tp-columns">
          <div className="stack">
            <ContactsPanel tenantId={tenantId} contacts={contacts.data} />
          </div>
          <div className="stack">
            <NoticesPanel tenantId={tenantId} />
            {/* Customer reports are filed for one's own tenant only. */}
            {own && <ReportsPanel />}
          </div>
        </div>
      )}
    </main>
  );
}
