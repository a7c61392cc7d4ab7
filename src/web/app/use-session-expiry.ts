// Any request refused with 401 (the session expired, or was signed out in another tab) rechecks the session once,
// from one place for every query and action; if it is really gone, the route guard takes the person to sign in and
// brings them back afterwards. A 401 that is about something else (a wrong current password) leaves the session be.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError } from '../lib/api-client';
import { sessionKeys } from '../lib/session';

export function useSessionExpiry(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const onError = (error: unknown) => {
      if (!(error instanceof ApiError) || error.status !== 401) return;
      // Signed out already (or not known yet): nothing to recheck, e.g. a wrong password on the sign-in page.
      if (!queryClient.getQueryData(sessionKeys.current())) return;
      void queryClient.invalidateQueries({ queryKey: sessionKeys.current() });
    };
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && event.query.queryKey[0] !== sessionKeys.all[0]) onError(event.action.error);
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient]);
}
