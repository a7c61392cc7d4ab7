// The signed-in person's own account: changing the password, and their API tokens (one key factory, the list's
// queryOptions, and the create and revoke mutations).
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CreatedTokenSchema, TokenListSchema, type ChangePasswordRequest, type CreateTokenRequest } from '../../../../contract/auth';
import { apiGet, apiSend } from '../../../lib/api-client';
import { sessionKeys } from '../../../lib/session';

export const tokenKeys = {
  all: ['tokens'] as const,
  list: () => [...tokenKeys.all, 'list'] as const,
};

export function tokenListQueryOptions() {
  return queryOptions({
    queryKey: tokenKeys.list(),
    queryFn: ({ signal }) => apiGet('/api/tokens', TokenListSchema, { signal }),
    select: (data) => data.tokens,
  });
}

export function useTokens() {
  return useQuery(tokenListQueryOptions());
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTokenRequest) => apiSend('POST', '/api/tokens', CreatedTokenSchema, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.list() }),
    // The answer holds the secret, shown once: it must not outlive the page that shows it in the mutation cache.
    gcTime: 0,
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend('DELETE', `/api/tokens/${encodeURIComponent(id)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.list() }),
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChangePasswordRequest) => apiSend('POST', '/api/session/password', undefined, body),
    // The server may start a fresh session (and CSRF token) with the new password, and may have revoked the tokens.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: sessionKeys.current() }),
        queryClient.invalidateQueries({ queryKey: tokenKeys.list() }),
      ]),
    gcTime: 0,
  });
}
