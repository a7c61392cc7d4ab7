// Signing in and out. Both start the page's memory afresh, so nothing fetched for one person is shown to the next.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { SessionSchema, type SignInRequest } from '../../../../contract/auth';
import { ApiError, apiSend } from '../../../lib/api-client';
import { clearSession, storeSession } from '../../../lib/session';

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (credentials: SignInRequest) => apiSend('POST', '/api/session', SessionSchema, credentials),
    onSuccess: (session) => storeSession(queryClient, session),
    // The password is in the variables: keep the finished mutation no longer than the form that sent it.
    gcTime: 0,
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (): Promise<void> => {
      try {
        await apiSend('DELETE', '/api/session');
      } catch (error) {
        // Already signed out (expired, or signed out in another tab): that is what was asked for.
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      }
    },
    onSuccess: () => clearSession(queryClient),
  });
}
