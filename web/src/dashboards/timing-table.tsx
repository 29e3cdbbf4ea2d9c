/** Every timing figure as text: the charts' table alternative. */
import { duration, words } from './format.ts';
import { ScrollRegion } from './scroll-region.tsx';
import type { Figure, TimingReport } from './types.ts';

function cell(f: Figure) {
  return f.count === 0 ? '—' : `${duration(f.medianSeconds)} / ${duration(f.maxSeconds)}`;
}

export function TimingTable({ report }: { report: TimingReport }) {
  return (
    <ScrollRegion label="Timings by source kind and month, table">
      <table className="timings-table">
        <caption>Timings by source kind and month (median / max; months in UTC)</caption>
        <thead>
          <tr>
            <th scope="col">Source kind</th>
            <th scope="col">Month</th>
            <th scope="col">Investigations</th>
            <th scope="col">Detect</th>
            <th scope="col">Assess</th>
            <th scope="col">Declare</th>
            <th scope="col">Notify</th>
            <th scope="col">Deadline (median)</th>
            <th scope="col">Met</th>
            <th scope="col">Missed</th>
            <th scope="col">Pending</th>
          </tr>
        </thead>
        <tbody>
          {report.groups.map((g) => (
            <tr key={`${g.sourceKind} ${g.month}`}>
              <th scope="row">{words(g.sourceKind)}</th>
              <td>{g.month}</td>
              <td>{g.investigations}</td>
              <td>{cell(g.detect)}</td>
              <td>{cell(g.assess)}</td>
              <td>{cell(g.declare)}</td>
              <td>{cell(g.notify)}</td>
              <td>{duration(g.notify.deadlineMedianSeconds)}</td>
              <td>{g.notify.met}</td>
              <td>{g.notify.missed}</td>
              <td>{g.notify.pending}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
