import { localTime } from '../components/deadline.tsx';

/** An instant in the viewer's own time zone, the exact UTC instant on hover. */
export function Instant({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">—</span>;
  const utc = new Date(iso).toISOString().replace('.000Z', 'Z');
  return (
    <time dateTime={utc} title={`${utc} (UTC)`}>
      {localTime(iso)}
    </time>
  );
}
