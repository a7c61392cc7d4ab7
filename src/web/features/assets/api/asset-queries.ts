// queryOptions factories for assets, shared by the hooks, prefetching and invalidation.
import { infiniteQueryOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import { AssetSchema } from '../../../../contract/asset';
import { AssetListSchema } from '../../../../contract/api';
import { apiGet } from '../../../lib/api-client';
import { assetKeys } from './asset-keys';
import type { ListData } from './list-sync';
import { listPath, type AssetListParams } from './list-params';
import { isMoving, listIsMoving, pollInterval } from './polling';

/**
 * Every loaded page of a list. It does not poll itself (refetching an infinite query fetches every loaded page):
 * the head query below polls the first page, and list-sync.ts refreshes later pages only when they are on screen
 * and out of date. Invalidation (after an action) still refetches it whole.
 */
export function assetListQueryOptions(params: AssetListParams) {
  return infiniteQueryOptions({
    queryKey: assetKeys.list(params),
    queryFn: ({ pageParam, signal }) => apiGet(listPath(params, pageParam), AssetListSchema, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}

/**
 * The first page of a list on its own, polled: the same URL as the list's first page, so an idle poll is a 304.
 * Fast while anything in any loaded page moves (or anything is processing, per the counts), slow otherwise.
 */
export function assetListHeadQueryOptions(params: AssetListParams, queryClient: QueryClient) {
  return queryOptions({
    queryKey: assetKeys.listHead(params),
    queryFn: ({ signal }) => apiGet(listPath(params, null), AssetListSchema, { signal }),
    // A new object for every 200, the same one for every 304 (apiGet keeps it): a changed ETag means something in
    // the list changed, maybe on a later page, so list-sync.ts takes it as the signal. The list itself still
    // shares structure, so unchanged cards keep their objects.
    structuralSharing: false,
    refetchInterval: (query) =>
      pollInterval(query, (head) => listIsMoving([head]) || listIsMoving(queryClient.getQueryData<ListData>(assetKeys.list(params))?.pages ?? [])),
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
    refetchOnReconnect: true,
  });
}

export function assetQueryOptions(id: string) {
  return queryOptions({
    queryKey: assetKeys.detail(id),
    queryFn: ({ signal }) => apiGet(`/api/assets/${encodeURIComponent(id)}`, AssetSchema, { signal }),
    refetchInterval: (query) => pollInterval(query, isMoving),
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
    refetchOnReconnect: true,
  });
}
