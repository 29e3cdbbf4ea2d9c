/**
 * Where the investigation stands in detect → assess → diagnose ⇄ stabilize → close, and the
 * moves open from here. Each move is checked with the server's own rule (assertTransition in
 * src/domain/stages.ts); a move it refuses is shown disabled with the rule's words.
 */
import { useId, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { allowedTransitions, assertTransition } from '../../../src/domain/stages.ts';
import { STAGES, type Stage } from '../../../src/domain/types.ts';
import type { InvestigationDetail } from './types.ts';
import { useChange } from './use-change.ts';

/** Why a move is refused now, or null if the server would accept it as far as we can tell. */
export function refusalOf(inv: InvestigationDetail, to: Stage): string | null {
  try {
    assertTransition(inv.stage, to, {
      classification: inv.classification,
      // A post-mortem hidden from this reader ({ restricted }) is left for the server to judge.
      postmortemComplete: inv.postmortem !== null,
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }

  // The server also checks, when closing after stabilize, that nothing is left undecided.
  if (to === 'close' && inv.stage === 'stabilize') {
    const drafts = inv.notices.filter((n) => n.status === 'draft');
    if (drafts.length > 0) return 'notices are still drafts: approve them first';
    const open = inv.clocks.filter((c) => c.status !== 'met' && c.status !== 'not_required');
    if (open.length > 0) return 'obligations are still open: file them or decide "not required"';
  }
  return null;
}

export function StageStepper(props: {
  inv: InvestigationDetail;
  routeId: string;
  mayMove: boolean;
}) {
  const { inv, routeId, mayMove } = props;
  const [reason, setReason] = useState('');
  const [moved, setMoved] = useState<Stage | null>(null);
  const reasonId = useId();
  const reasonInput = useRef<HTMLInputElement>(null);
  const move = useChange(routeId, (to: Stage) =>
    api.post(`/api/v1/investigations/${encodeURIComponent(routeId)}/transitions`, { to, reason }),
  );
  // Set while this page's own move is out: the stage it changes is then ours to follow.
  const ownMove = useRef(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const moveTo = (to: Stage) => {
    ownMove.current = true;
    move.mutate(to, {
      // Each move is audited with its own reason: the next one must be written afresh.
      onSuccess: () => {
        setReason('');
        setMoved(to);
      },
      // Refused: the reason is kept to be corrected, and focus goes to it (the pressed button
      // was disabled while the call ran, which drops focus to the page).
      onError: () => reasonInput.current?.focus(),
      onSettled: () => {
        ownMove.current = false;
      },
    });
  };
  // The new stage replaces the pressed button: focus goes to the reason field for the next
  // move (or, once closed, to this panel's heading), in the same frame, before the page's
  // focus keeper (focus-keeper.ts) would send it elsewhere.
  useLayoutEffect(() => {
    if (!ownMove.current) return;
    (inv.stage === 'close' ? heading.current : reasonInput.current)?.focus();
  }, [inv.stage]);
  const current = STAGES.indexOf(inv.stage);
  const moves = allowedTransitions(inv.stage);

  return (
    <section className="panel stage-panel" aria-labelledby="stage-heading">
      <h2 id="stage-heading" ref={heading} tabIndex={-1}>
        Stage
      </h2>
      <ol className="stepper">
        {STAGES.map((stage, i) => (
          <li
            key={stage}
            className={`step ${i < current ? 'step-done' : ''} ${i === current ? 'step-now' : ''}`}
            aria-current={i === current ? 'step' : undefined}
          >
            {stage}
            {i === current && <span className="visually-hidden"> (current stage)</span>}
          </li>
        ))}
      </ol>
      {moves.length === 0 ? (
        <p className="muted">Closed: no further moves.</p>
      ) : (
        <div className="stack">
          <label htmlFor={reasonId}>Reason for the move</label>
          <input
            id={reasonId}
            ref={reasonInput}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="what you found"
          />
          <ul className="moves">
            {moves.map((to) => {
              const why = mayMove ? refusalOf(inv, to) : 'your role cannot move investigations';
              const hintId = `move-${to}-why`;
              return (
                <li key={to}>
                  <button
                    type="button"
                    disabled={why !== null || move.isPending}
                    aria-describedby={why ? hintId : undefined}
                    onClick={() => moveTo(to)}
                  >
                    Move to {to}
                  </button>
                  {why && (
                    <span id={hintId} className="muted move-why">
                      {' '}
                      Not now: {why}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
          <ErrorNote error={move.error} />
        </div>
      )}
      {/* Outside the moves: closing removes them, and "Moved to close." must still be read. */}
      <p className="muted" role="status">
        {moved !== null && move.isSuccess && inv.stage === moved ? `Moved to ${moved}.` : ''}
      </p>
    </section>
  );
}
