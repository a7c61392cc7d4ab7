// Managing users (admins only): one key factory, the list's queryOptions, and the add / change / delete mutations.
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { UserListSchema, UserSchema, type CreateUserRequest, type Session, type UpdateUserRequest } from '../../../../contract/auth';
import { apiGet, apiSend } from '../../../lib/api-client';
import { sessionKeys } from '../../../lib/session';

export const userKeys = {
  all: ['users'] as const,
  list: () => [...userKeys.all, 'list'] as const,
};

export function userListQueryOptions() {
  return queryOptions({
    queryKey: userKeys.list(),
    queryFn: ({ signal }) => apiGet('/api/users', UserListSchema, { signal }),
    select: (data) => data.users,
  });
}

export function useUsers() {
  return useQuery(userListQueryOptions());
}

const userPath = (id: string) => `/api/users/${encodeURIComponent(id)}`;

export function useAddUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => apiSend('POST', '/api/users', UserSchema, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: userKeys.list() }),
    gcTime: 0,
  });
}

export function useUpdateUser(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateUserRequest) => apiSend('PATCH', userPath(id), UserSchema, body),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: userKeys.list() });
      // An admin changing their own role or name: the header and what the page offers follow.
      if (queryClient.getQueryData<Session | null>(sessionKeys.current())?.user.id === id) {
        await queryClient.invalidateQueries({ queryKey: sessionKeys.current() });
      }
    },
    gcTime: 0,
  });
}

export function useDeleteUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend('DELETE', userPath(id)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: userKeys.list() }),
  });
}
