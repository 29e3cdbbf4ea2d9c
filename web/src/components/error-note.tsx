import { ApiError } from '../api.ts';

/** A refusal as the server worded it, with its code; announced to screen readers. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? `${error.message} (${error.code}${error.field ? `, field ${error.field}` : ''})`
      : error instanceof Error
        ? error.message
        : 'something went wrong; try again';
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}
