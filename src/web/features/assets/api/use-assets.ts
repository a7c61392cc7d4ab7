// Hooks over the asset queryOptions factories.
import { keepPreviousData, useInfiniteQuery, useIsMutating, useQuery, useQueryClient } from '@tanstack/react-query';
import { assetKeys } from './asset-keys';
import { assetListQueryOptions, assetQueryOptions } from './asset-queries';
import { isMoving, pollInterval } from './polling';
import type { AssetListParams } from './list-params';

/** Keeps showing the previous filter's cards while the next filter loads, instead of flashing skeletons. */
export function useAssetList(params: AssetListParams) {
  return useInfiniteQuery({ ...assetListQueryOptions(params), placeholderData: keepPreviousData });
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
