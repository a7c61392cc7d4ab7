// Whether the API is currently failing, as seen by the QueryCache: set by a failed fetch (a first try, a retry or a
// background poll) that never reached the service or that the service failed on, cleared by the next success, and
// "unreachable" whenever the browser says it is offline.
import { onlineManager, useQueryClient, type QueryCache } from '@tanstack/react-query';
import { useState, useSyncExternalStore } from 'react';
import { ApiError, isUnreachable } from '../lib/api-client';

export type ConnectionProblem = 'unreachable' | 'server' | null;

function problemOf(error: unknown): ConnectionProblem {
  if (isUnreachable(error)) return 'unreachable';
  if (error instanceof ApiError && (error.status >= 500 || error.code === 'invalid_response')) return 'server';
  // A 4xx is about the request itself and is shown where it happened; retrying would not change it.
  return null;
}

function createMonitor(cache: QueryCache) {
  let problem: ConnectionProblem = null;
  for (const q of cache.getAll()) if (q.state.status === 'error') problem ??= problemOf(q.state.error);
  const snapshot = (): ConnectionProblem => (onlineManager.isOnline() ? problem : 'unreachable');
  return {
    snapshot,
    subscribe(listener: () => void) {
      const stopCache = cache.subscribe((event) => {
        if (event.type !== 'updated') return;
        const { action } = event;
        const before = problem;
        if (action.type === 'failed' || action.type === 'error') problem = problemOf(action.error) ?? problem;
        else if (action.type === 'success' && !action.manual) problem = null;
        if (problem !== before) listener();
      });
      const stopOnline = onlineManager.subscribe(listener);
      return () => {
        stopCache();
        stopOnline();
      };
    },
  };
}

export function useConnectionProblem(): ConnectionProblem {
  const cache = useQueryClient().getQueryCache();
  const [monitor] = useState(() => createMonitor(cache));
  return useSyncExternalStore(monitor.subscribe, monitor.snapshot, monitor.snapshot);
}
