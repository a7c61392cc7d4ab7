// The review actions on one asset (SPEC §3), as mutations beside the queries: each one writes the server's answer
// into the asset's detail, marks the lists stale (their order and counts move), rolls back an optimistic change on
// error, and on a 409 (someone acted first) refetches the asset so the page shows what really happened.
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { AssetSchema, type Asset } from '../../../../contract/asset';
import { useNotifier } from '../../../components/ui/notifications';
import { ApiError, apiSend, apiUpload } from '../../../lib/api-client';
import { serverNow } from '../../../lib/server-time';
import { assetKeys } from './asset-keys';

export type AssetAction = 'approve' | 'next-step' | 'back' | 'retry' | 'revision' | 'upload' | 'delete';

/** Every mutation of one asset shares this key prefix, so the page can find the latest one (see ActionBanner). */
export const assetActionKey = (id: string, action: AssetAction) => [...assetKeys.detail(id), 'action', action] as const;

const base = (id: string) => `/api/assets/${encodeURIComponent(id)}`;

interface Context {
  previous: Asset | undefined;
}

/** Applies `change` to the cached asset at once; returns what was there so an error can put it back. */
async function optimistic(queryClient: QueryClient, id: string, change?: (asset: Asset) => Asset): Promise<Context> {
  const key = assetKeys.detail(id);
  // A poll landing after this would overwrite the optimistic state with the old one.
  await queryClient.cancelQueries({ queryKey: key });
  const previous = queryClient.getQueryData<Asset>(key);
  if (previous && change) queryClient.setQueryData<Asset>(key, change(previous));
  return { previous };
}

function useAssetMutation<V>(
  id: string,
  action: AssetAction,
  send: (variables: V) => Promise<Asset>,
  change?: (asset: Asset) => Asset,
) {
  const queryClient = useQueryClient();
  return useMutation<Asset, Error, V, Context>({
    mutationKey: assetActionKey(id, action),
    mutationFn: send,
    onMutate: () => optimistic(queryClient, id, change),
    onSuccess: (asset) => {
      queryClient.setQueryData(assetKeys.detail(id), asset);
    },
    onError: async (error, _variables, context) => {
      if (context?.previous) queryClient.setQueryData(assetKeys.detail(id), context.previous);
      if (error instanceof ApiError && error.status === 409) await queryClient.invalidateQueries({ queryKey: assetKeys.detail(id) });
    },
    onSettled: () => {
      // Polls of this asset pause while the action is in flight (see useAsset); catch up on anything they missed.
      void queryClient.invalidateQueries({ queryKey: assetKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: assetKeys.lists() });
    },
  });
}

const post = (id: string, path: string) => apiSend('POST', `${base(id)}/${path}`, AssetSchema);

export function useApprove(id: string) {
  // Not optimistic: the countdown's deadline is the server's to set.
  return useAssetMutation<undefined>(id, 'approve', () => post(id, 'approve'));
}

/** "Process ‹next step›": starts the next step now, whether or not the countdown is running. */
export function useStartNextStep(id: string) {
  return useAssetMutation<undefined>(
    id,
    'next-step',
    () => post(id, 'next-step'),
    (a) => ({
      ...a,
      step_index: Math.min(a.step_index + 1, a.pipeline.length - 1),
      next_step_at: null,
      status: { phase: 'processing', updated_at: serverNow(), progress: 0 },
    }),
  );
}

/** "Back": cancels the countdown; the number disappears at once. */
export function useCancelCountdown(id: string) {
  return useAssetMutation<undefined>(
    id,
    'back',
    () => apiSend('DELETE', `${base(id)}/next-step`, AssetSchema),
    (a) => ({ ...a, next_step_at: null }),
  );
}

export function useRetry(id: string) {
  return useAssetMutation<undefined>(
    id,
    'retry',
    () => post(id, 'retry'),
    (a) => ({ ...a, status: { phase: 'processing', updated_at: serverNow(), progress: 0 } }),
  );
}

export function useRequestRevision(id: string) {
  // Not optimistic: the form and its note stay on screen until the server has taken them.
  return useAssetMutation<string>(id, 'revision', (note) => apiSend('POST', `${base(id)}/revisions`, AssetSchema, { note }));
}

export interface UploadVariables {
  file: File;
  onProgress?: (fraction: number) => void;
}

export function useUploadVersion(id: string) {
  return useAssetMutation<UploadVariables>(id, 'upload', ({ file, onProgress }) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return apiUpload(`${base(id)}/versions`, form, AssetSchema, onProgress ? { onProgress } : {});
  });
}

/** Deletes the asset, then leaves its page for the list and says so. */
export function useDeleteAsset(id: string) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const notifier = useNotifier();
  return useMutation<unknown, Error, { name: string }>({
    mutationKey: assetActionKey(id, 'delete'),
    mutationFn: () => apiSend('DELETE', base(id)),
    onSuccess: async (_data, { name }) => {
      await navigate('/');
      // Removed only after leaving, so the page being left does not refetch a 404.
      queryClient.removeQueries({ queryKey: assetKeys.detail(id) });
      notifier.toast({ tone: 'success', title: 'Asset deleted', body: `“${name}” was deleted.` });
      notifier.announce(`${name} was deleted.`);
    },
    onError: async (error) => {
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
        await queryClient.invalidateQueries({ queryKey: assetKeys.detail(id) });
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: assetKeys.lists() }),
  });
}
