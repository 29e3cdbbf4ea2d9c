/**
 * The investigation's notices, per tenant and audience: preview in the recipient's language
 * (or another), approval, the hold flow (request; legal and executive approval; release), and
 * where each recipient's copy stands. Buttons follow the role; the server has the last word.
 */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { localTime } from '../components/deadline.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { HOLD_GROUNDS } from './hold-grounds.ts';
import type { Person } from '../session.tsx';
import { can } from './can.ts';
import type { Delivery, Hold, InvestigationDetail, Notice } from './types.ts';
import { useChange } from './use-change.ts';
import { words } from '../words.ts';
import { noNoticeWhy } from './no-notice.ts';

/** What a recipient's copy looks like to a person: the worker's 'sent' is "delivered". */
export function deliveryWords(status: string): string {
  return status === 'sent' ? 'delivered' : words(status);
}

interface Preview {
  language: string;
  subject: string;
  body: string;
}

function NoticePreview({ notice }: { notice: Notice }) {
  const [language, setLanguage] = useState('');
  const [shown, setShown] = useState(false);
  const q = useQuery({
    queryKey: ['preview', notice.id, language],
    enabled: shown,
    queryFn: () =>
      api.post<Preview>(
        `/api/v1/notices/${encodeURIComponent(notice.id)}/preview`,
        language ? { language } : {},
      ),
  });

  return (
    <div>
      <div className="row">
        <label>
          Preview language
          <select value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value="">recipient's language</option>
            <option value="en">English</option>
            <option value="de">Deutsch</option>
            <option value="fr">Français</option>
          </select>
        </label>
        <button type="button" className="secondary" onClick={() => setShown(!shown)}>
          {shown ? 'Hide preview' : 'Preview'}
        </button>
      </div>
      <ErrorNote error={q.error} />
      {shown && q.data && (
        <article className="preview" lang={q.data.language}>
          <h4>{q.data.subject}</h4>
          <pre tabIndex={0}>{q.data.body}</pre>
        </article>
      )}
    </div>
  );
}

function HoldRequest({ notice, routeId }: { notice: Notice; routeId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [ground, setGround] = useState<string>(HOLD_GROUNDS[0]);
  const [reason, setReason] = useState('');
  const [reviewAt, setReviewAt] = useState('');
  const request = useChange(routeId, () =>
    api.post(`/api/v1/notices/${encodeURIComponent(notice.id)}/holds`, {
      ground,
      reason,
      reviewAt: reviewAt ? new Date(reviewAt).toISOString() : undefined,
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    request.mutate(undefined, { onSuccess: () => dialog.current?.close() });
  }

  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          // A refusal from an earlier try is not this one's.
          request.reset();
          dialog.current?.showModal();
        }}
      >
        Request hold…
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <form className="stack" onSubmit={submit}>
          <h2 id={titleId}>
            Hold the {words(notice.audience)} notice to {notice.tenantId}
          </h2>
          <p>
            A hold takes effect once legal and an executive incident manager, two different people,
            approve it. The deadline keeps running.
          </p>
          <label>
            Ground
            <select value={ground} onChange={(e) => setGround(e.target.value)}>
              {HOLD_GROUNDS.map((g) => (
                <option key={g} value={g}>
                  {words(g)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Reason
            <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <label>
            Review by (your time zone, within 30 days)
            <input
              type="datetime-local"
              value={reviewAt}
              onChange={(e) => setReviewAt(e.target.value)}
            />
          </label>
          <ErrorNote error={request.error} />
          <div className="row">
            <button type="submit" disabled={request.isPending}>
              Request hold
            </button>
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

function HoldRow(props: { hold: Hold; routeId: string; person: Person | null }) {
  const { hold, routeId, person } = props;
  const [releaseReason, setReleaseReason] = useState('');
  const approve = useChange(routeId, () =>
    api.post(`/api/v1/holds/${encodeURIComponent(hold.id)}/approve`),
  );
  const release = useChange(routeId, () =>
    api.post(`/api/v1/holds/${encodeURIComponent(hold.id)}/release`, { reason: releaseReason }),
  );
  const mayApprove =
    (can(person, 'hold.approve.legal') && hold.legalApprover === null) ||
    (can(person, 'hold.approve.executive') && hold.executiveApprover === null);
  const live = hold.state !== 'released';

  return (
    <li>
      Hold <span className="badge">{words(hold.state)}</span> on {words(hold.ground)}:{' '}
      <bdi className="user-text">{hold.reason}</bdi>. Review by {localTime(hold.reviewAt)}
      {hold.reviewDue && <strong className="error"> (review due)</strong>}. Legal:{' '}
      {hold.legalApprover === null ? (
        'not yet'
      ) : (
        <bdi className="user-text">{hold.legalApprover}</bdi>
      )}
      ; executive:{' '}
      {hold.executiveApprover === null ? (
        'not yet'
      ) : (
        <bdi className="user-text">{hold.executiveApprover}</bdi>
      )}
      .
      {live && (
        <div className="row">
          {mayApprove && (
            <button type="button" onClick={() => approve.mutate(undefined)}>
              Approve hold
            </button>
          )}
          {can(person, 'hold.release') && (
            <>
              <label>
                Release reason
                <input value={releaseReason} onChange={(e) => setReleaseReason(e.target.value)} />
              </label>
              <button type="button" className="secondary" onClick={() => release.mutate(undefined)}>
                Release hold
              </button>
            </>
          )}
        </div>
      )}
      <ErrorNote error={approve.error ?? release.error} />
    </li>
  );
}

function Recipients({ deliveries }: { deliveries: Delivery[] }) {
  if (deliveries.length === 0) return <p className="muted">No message queued yet.</p>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table>
        <caption className="visually-hidden">Delivery per recipient</caption>
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">Delivery</th>
            <th scope="col">Attempts</th>
            <th scope="col">Sent</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={`${d.noticeId}:${d.recipientEmail}`} data-delivery={d.status}>
              <td>
                {d.recipientEmail} <span className="muted">{words(d.recipientKind)}</span>
              </td>
              <td className={d.status === 'sent' ? 'ok' : d.status === 'failed' ? 'error' : ''}>
                {deliveryWords(d.status)}
              </td>
              <td>{d.attempts}</td>
              <td>{d.sentAt ? localTime(d.sentAt) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Approving sends a legal notice that cannot be called back, so it takes two presses: the
 * first asks, the second sends (and is disabled while the request is out, so a double press
 * sends once).
 */
function ApproveButton(props: { notice: Notice; pending: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const cancelled = useRef(false);
  // Cancel or Escape: back to the button that asked, in the frame that shows it again.
  const cancel = () => {
    cancelled.current = true;
    setAsking(false);
  };
  // Focus follows the question: to "Approve and send" when asked, back when taken back.
  useLayoutEffect(() => {
    if (asking) {
      confirm.current?.focus();
    } else if (cancelled.current) {
      cancelled.current = false;
      ask.current?.focus();
    }
  }, [asking]);
  // A double press lands before React disables the button; this stops the second one. It is
  // let go once the request has answered, so that a refused approval can be tried again.
  const sent = useRef(false);
  useEffect(() => {
    if (!props.pending) sent.current = false;
  }, [props.pending]);

  const send = () => {
    if (sent.current) return;
    sent.current = true;
    props.onConfirm();
  };

  if (!asking) {
    return (
      <button ref={ask} type="button" onClick={() => setAsking(true)}>
        Approve…
      </button>
    );
  }
  return (
    <div
      className="row"
      role="group"
      aria-label="Confirm approval"
      onKeyDown={(e) => {
        // Escape takes the question back, as Cancel does.
        if (e.key === 'Escape' && !props.pending) cancel();
      }}
    >
      <span>
        Send the {words(props.notice.audience)} notice to {props.notice.tenantId} now? It cannot be
        unsent.
      </span>
      <button ref={confirm} type="button" disabled={props.pending} onClick={send}>
        Approve and send
      </button>
      <button type="button" className="secondary" onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}

function NoticeCard(props: {
  notice: Notice;
  routeId: string;
  person: Person | null;
  holds: Hold[];
  deliveries: Delivery[];
}) {
  const { notice, routeId, person, holds, deliveries } = props;
  const approve = useChange(routeId, () =>
    api.post(`/api/v1/notices/${encodeURIComponent(notice.id)}/approve`),
  );
  // Only a draft, or an approved notice with messages still to go, can be held (holds.ts).
  const holdable =
    notice.status === 'draft' ||
    (notice.status === 'approved' && deliveries.some((d) => d.status !== 'sent'));
  const pendingHold = holds.some(
    (h) => h.state === 'requested' || h.state === 'partially_approved',
  );

  return (
    <article
      className="panel notice"
      aria-label={`${words(notice.audience)} notice to ${notice.tenantId}`}
    >
      <h3>
        {notice.tenantId} · {words(notice.audience)}{' '}
        <span className="badge">{words(notice.status)}</span>
      </h3>
      <p>
        {notice.subject}
        {notice.approvedBy && (
          <span className="muted">
            {' '}
            — approved by {notice.approvedBy}
            {notice.approvedAt && `, ${localTime(notice.approvedAt)}`}
          </span>
        )}
      </p>
      <NoticePreview notice={notice} />
      <div className="row">
        {notice.status === 'draft' && can(person, 'notice.approve') && (
          <ApproveButton
            notice={notice}
            pending={approve.isPending}
            onConfirm={() => approve.mutate(undefined)}
          />
        )}
        {can(person, 'hold.request') && !pendingHold && holdable && (
          <HoldRequest notice={notice} routeId={routeId} />
        )}
      </div>
      <ErrorNote error={approve.error} />
      {holds.length > 0 && (
        <ul className="holds">
          {holds.map((h) => (
            <HoldRow key={h.id} hold={h} routeId={routeId} person={person} />
          ))}
        </ul>
      )}
      <Recipients deliveries={deliveries} />
    </article>
  );
}

export function Notices(props: {
  inv: InvestigationDetail;
  routeId: string;
  person: Person | null;
}) {
  const { inv, routeId, person } = props;
  const holds = useQuery({
    queryKey: ['investigation', routeId, 'holds'],
    enabled: can(person, 'hold.read'),
    queryFn: () => api.get<Hold[]>(`/api/v1/investigations/${encodeURIComponent(routeId)}/holds`),
  });
  const state = new Map(inv.notificationState.map((s) => [s.tenantId, s.state]));

  return (
    <section aria-labelledby="notices-heading">
      <h2 id="notices-heading">Notices</h2>
      {inv.notices.length === 0 && <p className="muted">{noNoticeWhy(inv)}</p>}
      {state.size > 0 && (
        <p>
          {[...state].map(([tenant, s]) => (
            <span key={tenant} className="badge">
              {tenant}: {words(s)}
            </span>
          ))}
        </p>
      )}
      <ErrorNote error={holds.error} />
      {inv.notices.map((n) => (
        <NoticeCard
          key={n.id}
          notice={n}
          routeId={routeId}
          person={person}
          holds={(holds.data ?? []).filter((h) => h.noticeId === n.id)}
          deliveries={inv.deliveries.filter((d) => d.noticeId === n.id)}
        />
      ))}
    </section>
  );
}
