// Hooks over the asset queryOptions factories.
import { keepPreviousData, useInfiniteQuery, useIsMutating, useQuery, useQueryClient } from '@tanstack/react-query';
import { assetKeys } from './asset-keys';
import { assetListHeadQueryOptions, assetListQueryOptions, assetQueryOptions } from './asset-queries';
import type { LoadedPages } from './list-sync';
import { isMoving, pollInterval } from './polling';
import type { AssetListParams } from './list-params';

/** Keeps showing the previous filter's cards while the next filter loads, instead of flashing skeletons. */
export function useAssetList(params: AssetListParams) {
  return useInfiniteQuery({ ...assetListQueryOptions(params), placeholderData: keepPreviousData });
}

/**
 * Polls the first page of a list that is already loaded (`loaded`), starting from the copy it holds. `justFetched`:
 * the list was fetched for this view, so there is nothing to ask yet; a list shown again from the cache asks at once.
 */
export function useAssetListHead(params: AssetListParams, loaded: LoadedPages, loadedAt: number, justFetched: boolean) {
  const queryClient = useQueryClient();
  return useQuery({
    ...assetListHeadQueryOptions(params, queryClient),
    initialData: () => loaded.pages[0],
    initialDataUpdatedAt: loadedAt,
    refetchOnMount: justFetched ? false : 'always',
  });
}

export function useAsset(id: string) {
  const queryClient = useQueryClient();
  // Re-renders when an action on this asset starts or ends, so the interval below is worked out again.
  useIsMutating({ mutationKey: assetKeys.detail(id) });
  return useQuery({
    ...assetQueryOptions(id),
    // A poll landing while an action is in flight would overwrite its optimistic view with the old state; the
    // action refetches the asset itself when it settles.
    refetchInterval: (query) =>
      queryClient.isMutating({ mutationKey: assetKeys.detail(id) }) > 0 ? false : pollInterval(query, isMoving),
  });
}
