/**
 * Breach notices sent to the tenant (the server shows a tenant admin only approved notices to
 * its own tenant, while it is in the investigation's scope), each readable in full.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { Modal } from './modal.tsx';
import { type NoticeText, noticesKey, PORTAL_REFRESH_MS, type TenantNotice } from './types.ts';
import { When } from './when.tsx';

const STATES: Record<string, string> = {
  sent: 'delivered',
  queued: 'waiting',
  sending: 'being sent',
  uncertain: 'outcome unknown, retrying',
  failed: 'failed',
  withdrawn: 'withdrawn',
};

/** "2 delivered, 1 failed", or "not sent yet". */
export function deliveryText(delivery: Record<string, number>): string {
  const parts = Object.entries(delivery)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${STATES[state] ?? state}`);
  return parts.length === 0 ? 'not sent yet' : parts.join(', ');
}

function NoticeReader({ notice, onClose }: { notice: TenantNotice; onClose: () => void }) {
  const text = useQuery({
    queryKey: ['notice', notice.id],
    queryFn: () => api.get<NoticeText>(`/api/v1/notices/${encodeURIComponent(notice.id)}`),
  });
  return (
    <Modal title={notice.subject} onClose={onClose}>
      <p className="muted">
        {notice.sentAt ? (
          <>
            Sent <When at={notice.sentAt} />
          </>
        ) : (
          'Not sent yet'
        )}{' '}
        · Delivery: {deliveryText(notice.delivery)}
      </p>
      {text.isPending && <p>Loading the notice…</p>}
      <ErrorNote error={text.error} />
      {text.data && (
        <pre className="tp-notice-body" tabIndex={0} aria-label="Notice text">
          {text.data.body}
        </pre>
      )}
      <button type="button" className="secondary" onClick={onClose} autoFocus>
        Close notice
      </button>
    </Modal>
  );
}

export function NoticesPanel({ tenantId }: { tenantId: string }) {
  const [reading, setReading] = useState<TenantNotice | null>(null);
  const list = useQuery({
    queryKey: noticesKey(tenantId),
    refetchInterval: PORTAL_REFRESH_MS,
    queryFn: () =>
      api.get<TenantNotice[]>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/notices`),
  });

  return (
    <section className="stack" aria-labelledby="tp-notices">
      <h2 id="tp-notices">Breach notices sent to you</h2>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <p>No breach notices have been sent to you.</p>}
      {list.data && list.data.length > 0 && (
        <ul className="tp-notices">
          {list.data.map((n) => (
            <li key={n.id} className="panel">
              <h3>{n.subject}</h3>
              <p className="muted">
                {n.sentAt ? (
                  <>
                    Sent <When at={n.sentAt} />
                  </>
                ) : (
                  'Not sent yet'
                )}{' '}
                · Delivery: {deliveryText(n.delivery)}
                {n.phase > 1 ? ` · follow-up ${n.phase - 1}` : ''}
              </p>
              <button type="button" className="secondary" onClick={() => setReading(n)}>
                Read notice
              </button>
            </li>
          ))}
        </ul>
      )}
      {reading && <NoticeReader notice={reading} onClose={() => setReading(null)} />}
    </section>
  );
}
