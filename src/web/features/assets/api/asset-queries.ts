// queryOptions factories for assets, shared by the hooks, prefetching and invalidation.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { AssetSchema } from '../../../../contract/asset';
import { AssetListSchema } from '../../../../contract/api';
import { apiGet } from '../../../lib/api-client';
import { assetKeys } from './asset-keys';
import { listPath, type AssetListParams } from './list-params';
import { isMoving, listIsMoving, pollInterval } from './polling';

export function assetListQueryOptions(params: AssetListParams) {
  return infiniteQueryOptions({
    queryKey: assetKeys.list(params),
    queryFn: ({ pageParam, signal }) => apiGet(listPath(params, pageParam), AssetListSchema, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (query) => pollInterval(query, (data) => listIsMoving(data.pages)),
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
