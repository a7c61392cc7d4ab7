// Who is signed in: the session query every page reads (shared here because the header, the route guard and the
// role-gated controls of every feature all need it), and the one place a session is stored or forgotten.
import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import { SessionSchema, type Session } from '../../contract/auth';
import { ApiError, apiGet, clearConditionalCache, setCsrfToken } from './api-client';

export const sessionKeys = {
  all: ['session'] as const,
  current: () => [...sessionKeys.all, 'current'] as const,
};

/** `null` means signed out: the server answered 401, which is an answer, not a failure. */
export function sessionQueryOptions() {
  return queryOptions({
    queryKey: sessionKeys.current(),
    queryFn: async ({ signal }): Promise<Session | null> => {
      try {
        const session = await apiGet('/api/session', SessionSchema, { signal });
        setCsrfToken(session.csrf_token);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    // Any 401 elsewhere asks again at once (see useSessionExpiry); otherwise a minute-old answer is good enough,
    // and coming back to the tab rechecks it.
    staleTime: 60_000,
    refetchOnWindowFocus: true,
  });
}

export function useSession() {
  return useQuery(sessionQueryOptions());
}

/** Forgets everything fetched for whoever was signed in before, so nothing of theirs shows to the next person. */
function forgetData(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKeys.all[0] });
  clearConditionalCache();
}

/** After signing in: a fresh start for the new person, with their session in place. */
export function storeSession(queryClient: QueryClient, session: Session): void {
  forgetData(queryClient);
  setCsrfToken(session.csrf_token);
  queryClient.setQueryData(sessionKeys.current(), session);
}

/** After signing out. The route guard sees `null` and takes the person to the sign-in page. */
export function clearSession(queryClient: QueryClient): void {
  setCsrfToken(null);
  queryClient.setQueryData(sessionKeys.current(), null);
  forgetData(queryClient);
}
