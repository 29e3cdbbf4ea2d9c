/** The queue's filter and sort controls: checkbox groups and selects, all keyboard usable. */
import { CLASSIFICATIONS, type QueueFilters, SEVERITIES, SORTS, STAGES, words } from './types.ts';

type ListKey = 'stage' | 'severity' | 'classification';

function CheckGroup(props: {
  legend: string;
  name: ListKey;
  values: readonly string[];
  filters: QueueFilters;
  onChange: (f: QueueFilters) => void;
}) {
  const { legend, name, values, filters, onChange } = props;
  const chosen = filters[name];
  const toggle = (v: string) =>
    onChange({
      ...filters,
      [name]: chosen.includes(v) ? chosen.filter((c) => c !== v) : [...chosen, v],
    });
  return (
    <fieldset className="queue-checks">
      <legend>{legend}</legend>
      {values.map((v) => (
        <label key={v} className="queue-check">
          <input
            type="checkbox"
            name={name}
            value={v}
            checked={chosen.includes(v)}
            onChange={() => toggle(v)}
          />
          {words(v)}
        </label>
      ))}
    </fieldset>
  );
}

export function QueueControls(props: {
  filters: QueueFilters;
  onChange: (f: QueueFilters) => void;
}) {
  const { filters, onChange } = props;
  const any = filters.stage.length + filters.severity.length + filters.classification.length > 0;
  return (
    <section className="panel queue-controls" aria-label="Filter and sort">
      <div className="queue-filter-groups">
        <CheckGroup legend="Stage" name="stage" values={STAGES} {...props} />
        <CheckGroup legend="Severity" name="severity" values={SEVERITIES} {...props} />
        <CheckGroup
          legend="Classification"
          name="classification"
          values={CLASSIFICATIONS}
          {...props}
        />
        <div className="row queue-sort">
          <label>
            Sort by
            <select
              value={filters.sort}
              onChange={(e) => onChange({ ...filters, sort: e.target.value, order: '' })}
            >
              {SORTS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Order
            <select
              value={filters.order}
              onChange={(e) =>
                onChange({ ...filters, order: e.target.value as QueueFilters['order'] })
              }
            >
              <option value="">Most pressing first</option>
              <option value="asc">Ascending</option>
              <option value="desc">Descending</option>
            </select>
          </label>
          {any && (
            <button
              type="button"
              className="secondary"
              onClick={() => onChange({ ...filters, stage: [], severity: [], classification: [] })}
            >
              Clear filters
            </button>
          )}
        </div>
      </div>
    </section>
  );
}
