/**
 * The NIST SP 800-61 rating: the factors the API takes (src/domain/rating.ts), the result the
 * server computed, and every earlier rating. The preview uses the server's pure scoring function
 * with the default matrix (a deployment may replace it); the stored result is the server's.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { localTime } from '../components/deadline.tsx';
import {
  CUSTOMER_DATA_RISKS,
  FUNCTIONAL_IMPACTS,
  INFORMATION_IMPACTS,
  type InformationImpact,
  RECOVERABILITIES,
  rate,
  type Rating,
} from '../../../src/domain/rating.ts';
import type { InvestigationDetail } from './types.ts';
import { useChange } from './use-change.ts';
import { words } from '../words.ts';

function Choice<T extends string>(props: {
  label: string;
  value: T;
  options: readonly T[];
  onChange: (v: T) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {words(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The server's own scoring on the default matrix; null while the input is incomplete. */
function previewOf(input: unknown): Rating | null {
  try {
    return rate(input);
  } catch {
    return null;
  }
}

export function RatingResult({ rating }: { rating: Rating }) {
  return (
    <p>
      <span className={`badge severity-${rating.severity}`}>severity {rating.severity}</span>{' '}
      <span className="badge">{rating.priority}</span> score {rating.score}
      {rating.forcedHigh && ' (risk to customer data: always high, P1)'}
    </p>
  );
}

export function RatingForm(props: { inv: InvestigationDetail; routeId: string; mayRate: boolean }) {
  const { inv, routeId, mayRate } = props;
  const last = inv.rating;
  const [functionalImpact, setFunctional] = useState(last?.functionalImpact ?? 'none');
  const [information, setInformation] = useState<InformationImpact[]>(
    last?.informationImpact ?? ['none'],
  );
  const [recoverability, setRecoverability] = useState(last?.recoverability ?? 'regular');
  const [customerDataRisk, setRisk] = useState(last?.customerDataRisk ?? 'none');
  const [reason, setReason] = useState('');
  const save = useChange(routeId, () =>
    api.post(`/api/v1/investigations/${encodeURIComponent(routeId)}/ratings`, {
      functionalImpact,
      informationImpact: information,
      recoverability,
      customerDataRisk,
      reason: reason || undefined,
    }),
  );

  const input = {
    functionalImpact,
    informationImpact: information,
    recoverability,
    customerDataRisk,
  };
  const preview = previewOf(input);

  function toggle(impact: InformationImpact, on: boolean) {
    // The server refuses "none" with anything else, so picking one clears the other.
    if (impact === 'none') return setInformation(on ? ['none'] : []);
    const rest = information.filter((i) => i !== 'none' && i !== impact);
    setInformation(on ? [...rest, impact] : rest);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(undefined);
  }

  return (
    <section className="panel" aria-labelledby="rating-heading">
      <h2 id="rating-heading">Rating (NIST SP 800-61)</h2>
      {last ? <RatingResult rating={last} /> : <p className="muted">Not rated yet.</p>}
      {mayRate && inv.stage !== 'close' && (
        <form className="stack" onSubmit={submit} aria-label="Rate the investigation">
          <Choice
            label="Functional impact"
            value={functionalImpact}
            options={FUNCTIONAL_IMPACTS}
            onChange={setFunctional}
          />
          <fieldset>
            <legend>Information impact</legend>
            {INFORMATION_IMPACTS.map((impact) => (
              <label key={impact} className="check">
                <input
                  type="checkbox"
                  checked={information.includes(impact)}
                  onChange={(e) => toggle(impact, e.target.checked)}
                />
                {words(impact)}
              </label>
            ))}
          </fieldset>
          <Choice
            label="Recoverability"
            value={recoverability}
            options={RECOVERABILITIES}
            onChange={setRecoverability}
          />
          <Choice
            label="Risk to customer data"
            value={customerDataRisk}
            options={CUSTOMER_DATA_RISKS}
            onChange={setRisk}
          />
          <label>
            Rating reason (optional)
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <p aria-live="polite">
            {preview ? (
              <>
                Would rate: severity {preview.severity}, {preview.priority}, score {preview.score}
              </>
            ) : (
              'Pick at least one information impact.'
            )}
          </p>
          <div>
            <button type="submit" disabled={save.isPending}>
              Save rating
            </button>
          </div>
          <ErrorNote error={save.error} />
        </form>
      )}
      <h3>Rating history</h3>
      {inv.ratings.length === 0 ? (
        <p className="muted">No ratings recorded.</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">By</th>
                <th scope="col">Factors</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {[...inv.ratings].reverse().map((r) => (
                <tr key={r.at + r.actor}>
                  <td>{localTime(r.at)}</td>
                  <td>{r.actor}</td>
                  <td>
                    {words(r.rating.functionalImpact)} function;{' '}
                    {r.rating.informationImpact.map(words).join(', ')} information;{' '}
                    {words(r.rating.recoverability)} recovery; customer data{' '}
                    {words(r.rating.customerDataRisk)}
                    {r.reason && (
                      <>
                        {' — '}
                        <bdi className="user-text">{r.reason}</bdi>
                      </>
                    )}
                  </td>
                  <td>
                    {r.rating.severity} / {r.rating.priority} ({r.rating.score})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
