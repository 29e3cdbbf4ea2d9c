/**
 * One investigation, as a responder works it: where it stands and what may happen next, its
 * rating and classification, the clocks, the notices and their delivery, scoping, signals and
 * the audit timeline. Everything comes from the HTTP API; every refusal shows as the server
 * worded it.
 */
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api } from '../api.ts';
import { Deadline } from '../components/deadline.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { can } from '../investigation/can.ts';
import { ClassificationPanel } from '../investigation/classification.tsx';
import { Notices } from '../investigation/notices.tsx';
import { Obligations } from '../investigation/obligations.tsx';
import { RatingForm } from '../investigation/rating-form.tsx';
import { Scoping } from '../investigation/scoping.tsx';
import { Signals } from '../investigation/signals.tsx';
import { StageStepper } from '../investigation/stage-stepper.tsx';
import { Timeline } from '../investigation/timeline.tsx';
import type { InvestigationDetail } from '../investigation/types.ts';
import { useSession } from '../session.tsx';

/** The earliest deadline still running, if any. */
function nearestDue(inv: InvestigationDetail): string | null {
  const open = inv.clocks
    .filter((c) => c.due !== null && c.status !== 'met' && c.status !== 'not_required')
    .map((c) => c.due as string)
    .sort();
  return open[0] ?? null;
}

export function Investigation() {
  const { id = '' } = useParams();
  const { person } = useSession();
  const q = useQuery({
    queryKey: ['investigation', id, 'detail'],
    queryFn: () => api.get<InvestigationDetail>(`/api/v1/investigations/${encodeURIComponent(id)}`),
  });
  const inv = q.data;

  if (!inv) {
    return (
      <main id="main">
        <h1>Investigation {id}</h1>
        {q.isPending ? <p className="loading">Loading…</p> : <ErrorNote error={q.error} />}
      </main>
    );
  }

  return (
    <main id="main" className="investigation">
      <h1>
        {inv.ref}: {inv.title}
      </h1>
      <p className="row inv-facts">
        <span className="badge">stage {inv.stage}</span>
        <span className={`badge severity-${inv.severity}`}>severity {inv.severity}</span>
        {inv.priority && <span className="badge">{inv.priority}</span>}
        <span className="badge">
          {inv.classification?.replaceAll('_', ' ') ?? 'not classified'}
        </span>
        {nearestDue(inv) && <Deadline due={nearestDue(inv)} label="Next deadline" />}
      </p>
      <ErrorNote error={q.error} />
      {/* The stage, the clocks and the notices come first: they are what must not be missed. */}
      <div className="grid">
        <StageStepper inv={inv} routeId={id} mayMove={can(person, 'investigation.move')} />
        <Obligations clocks={inv.clocks} />
      </div>
      <Notices inv={inv} routeId={id} person={person} />
      <div className="grid">
        <RatingForm inv={inv} routeId={id} mayRate={can(person, 'rating.write')} />
        <ClassificationPanel
          inv={inv}
          routeId={id}
          mayClassify={can(person, 'classification.write')}
          mayDeclare={can(person, 'crsi.declare')}
        />
      </div>
      <Scoping inv={inv} routeId={id} mayScope={can(person, 'scoping.run')} />
      <div className="grid">
        <Signals routeId={id} />
        <Timeline routeId={id} />
      </div>
    </main>
  );
}
