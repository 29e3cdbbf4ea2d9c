/**
 * Live updates: the server announces every change on /api/v1/events (server-sent events, the
 * browser reconnects by itself); the console then refetches what it shows. Events name only
 * that something changed (`{"seq": n}`, the audit log's newest entry), never what or its content.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

export function useLiveUpdates(enabled: boolean): 'live' | 'connecting' | 'off' {
  const client = useQueryClient();
  const [state, setState] = useState<'live' | 'connecting' | 'off'>('off');

  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/v1/events');
    setState('connecting');
    source.onopen = () => setState('live');
    source.onerror = () => setState('connecting');
    source.addEventListener('change', () => {
      // Cheap and always right: refetch what is on screen; the rest refetches when shown.
      void client.invalidateQueries({ refetchType: 'active' });
    });
    return () => {
      source.close();
      setState('off');
    };
  }, [enabled, client]);

  return state;
}
