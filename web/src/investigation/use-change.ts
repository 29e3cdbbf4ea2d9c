/**
 * A state-changing call from the investigation page: it refreshes everything shown about the
 * investigation once the server answers, and keeps the server's refusal for an ErrorNote.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';

export function useChange<I, O = unknown>(investigationId: string, call: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: () => client.invalidateQueries({ queryKey: ['investigation', investigationId] }),
  });
}
