/**
 * What the investigation is: the classification a responder sets (a false positive needs its
 * root cause), and the CRSI declaration an incident manager makes in a dialog with grounds and
 * an evidence statement (src/domain/classification.ts and declaration.ts hold the rules).
 */
import { type FormEvent, useId, useRef, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { SETTABLE_CLASSIFICATIONS } from '../../../src/domain/classification.ts';
import {
  DECLARATION_GROUNDS,
  DECLARING_STAGES,
  MIN_EVIDENCE_LENGTH,
} from '../../../src/domain/declaration.ts';
import type { InvestigationDetail } from './types.ts';
import { useChange } from './use-change.ts';
import { words } from '../words.ts';

function ClassifyForm({ inv, routeId }: { inv: InvestigationDetail; routeId: string }) {
  const settable: readonly string[] = SETTABLE_CLASSIFICATIONS;
  const [classification, setClassification] = useState<string>(
    inv.classification && settable.includes(inv.classification)
      ? inv.classification
      : 'security_incident',
  );
  const [rootCause, setRootCause] = useState(inv.rootCause ?? '');
  const save = useChange(routeId, () =>
    api.post(`/api/v1/investigations/${encodeURIComponent(routeId)}/classification`, {
      classification,
      rootCause: rootCause || undefined,
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(undefined);
  }

  return (
    <form className="stack" onSubmit={submit} aria-label="Classify the investigation">
      <label>
        Classification
        <select value={classification} onChange={(e) => setClassification(e.target.value)}>
          {SETTABLE_CLASSIFICATIONS.map((c) => (
            <option key={c} value={c}>
              {words(c)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Root cause{classification === 'false_positive' ? ' (required for a false positive)' : ''}
        <textarea rows={2} value={rootCause} onChange={(e) => setRootCause(e.target.value)} />
      </label>
      <div>
        <button type="submit" disabled={save.isPending}>
          Save classification
        </button>
      </div>
      <ErrorNote error={save.error} />
    </form>
  );
}

function DeclareDialog({ inv, routeId }: { inv: InvestigationDetail; routeId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [grounds, setGrounds] = useState<string[]>([]);
  const [evidence, setEvidence] = useState('');
  const [awareAt, setAwareAt] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const declare = useChange(routeId, () =>
    api.post(`/api/v1/investigations/${encodeURIComponent(routeId)}/declaration`, {
      grounds,
      evidence,
      // datetime-local is the viewer's wall time; the server wants an instant.
      awareAt: awareAt ? new Date(awareAt).toISOString() : undefined,
      notice: {
        ...(contactName ? { contactName } : {}),
        ...(contactEmail ? { contactEmail } : {}),
      },
    }),
  );
  const stageOk = (DECLARING_STAGES as readonly string[]).includes(inv.stage);

  function submit(e: FormEvent) {
    e.preventDefault();
    declare.mutate(undefined, { onSuccess: () => dialog.current?.close() });
  }

  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={!stageOk}
        aria-describedby={stageOk ? undefined : 'declare-why'}
        onClick={() => {
          // A refusal from an earlier try is not this one's.
          declare.reset();
          dialog.current?.showModal();
        }}
      >
        Declare CRSI…
      </button>
      {!stageOk && (
        <span id="declare-why" className="muted">
          {' '}
          Not now: a CRSI is declared in {DECLARING_STAGES.join(' or ')}; this is in {inv.stage}.
        </span>
      )}
      <dialog ref={dialog} aria-labelledby={titleId}>
        <form className="stack" onSubmit={submit}>
          <h2 id={titleId}>Declare a customer-reportable security incident</h2>
          <p>
            Declaring starts the notification clocks from the moment of awareness and drafts a
            notice for every affected tenant.
          </p>
          <fieldset>
            <legend>Grounds</legend>
            {DECLARATION_GROUNDS.map((g) => (
              <label key={g} className="check">
                <input
                  type="checkbox"
                  checked={grounds.includes(g)}
                  onChange={(e) =>
                    setGrounds(e.target.checked ? [...grounds, g] : grounds.filter((x) => x !== g))
                  }
                />
                {words(g)}
              </label>
            ))}
          </fieldset>
          <label>
            Evidence statement (at least {MIN_EVIDENCE_LENGTH} characters)
            <textarea rows={4} value={evidence} onChange={(e) => setEvidence(e.target.value)} />
          </label>
          <label>
            Aware since (your time zone; empty means now)
            <input
              type="datetime-local"
              value={awareAt}
              onChange={(e) => setAwareAt(e.target.value)}
            />
          </label>
          <label>
            Contact point name for the notices
            <input value={contactName} onChange={(e) => setContactName(e.target.value)} />
          </label>
          <label>
            Contact point e-mail for the notices
            <input
              type="email"
              value={contactEmail}
              onChange={(e) => setContactEmail(e.target.value)}
            />
          </label>
          <ErrorNote error={declare.error} />
          <div className="row">
            <button type="submit" className="danger" disabled={declare.isPending}>
              Declare
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

export function ClassificationPanel(props: {
  inv: InvestigationDetail;
  routeId: string;
  mayClassify: boolean;
  mayDeclare: boolean;
}) {
  const { inv, routeId, mayClassify, mayDeclare } = props;
  const open = inv.stage !== 'close';
  return (
    <section className="panel" aria-labelledby="class-heading">
      <h2 id="class-heading">Classification</h2>
      <p>
        {inv.classification ? (
          <span className="badge">{words(inv.classification)}</span>
        ) : (
          <span className="muted">not classified</span>
        )}
        {inv.rootCause && (
          <>
            {' '}
            — root cause: <bdi className="user-text">{inv.rootCause}</bdi>
          </>
        )}
      </p>
      {inv.declaration && (
        <div>
          <p>
            Declared CRSI by {inv.declaration.declaredBy} on grounds{' '}
            {inv.declaration.grounds.map(words).join(', ')}.
          </p>
          <blockquote>{inv.declaration.evidence}</blockquote>
        </div>
      )}
      {mayClassify && open && inv.classification !== 'crsi' && (
        <ClassifyForm inv={inv} routeId={routeId} />
      )}
      {mayDeclare && open && !inv.declaredAt && <DeclareDialog inv={inv} routeId={routeId} />}
    </section>
  );
}
