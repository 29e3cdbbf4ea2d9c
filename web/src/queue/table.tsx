/** The queue's table: one row per open investigation, its nearest deadline first to the eye. */
import { Link } from 'react-router';
import { Deadline } from '../components/deadline.tsx';
import { type QueueItem, words } from './types.ts';

export function QueueTable({ items, caption }: { items: QueueItem[]; caption: string }) {
  return (
    <div className="table-wrap queue-wrap">
      <table className="queue-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Investigation</th>
            <th scope="col">Title</th>
            <th scope="col">Stage</th>
            <th scope="col">Severity</th>
            <th scope="col">Classification</th>
            <th scope="col">Nearest deadline</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-ref={i.ref}>
              <td>
                <Link to={`/investigations/${i.ref}`}>{i.ref}</Link>
                {i.exercise && <span className="badge queue-exercise">exercise</span>}
              </td>
              <td className="queue-title">{i.title}</td>
              <td>{i.stage}</td>
              <td>
                <span className={`badge severity-${i.severity}`}>{i.severity}</span>
              </td>
              <td>
                {i.classification ? (
                  words(i.classification)
                ) : (
                  <span className="muted">unclassified</span>
                )}
              </td>
              <td>
                <Deadline due={i.nearestDeadline?.due ?? null} />
                {i.nearestDeadline && (
                  <div className="muted queue-regime">{i.nearestDeadline.regimeName}</div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
