import { localTime } from '../components/deadline.tsx';

/** An instant in the viewer's zone, with the exact UTC instant on hover. */
export function When({ at }: { at: string }) {
  const utc = new Date(at).toISOString().replace('.000Z', 'Z');
  return (
    <time dateTime={utc} title={`${utc} (UTC)`}>
      {localTime(at)}
    </time>
  );
}
