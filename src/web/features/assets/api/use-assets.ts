// Hooks over the asset queryOptions factories.
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { assetListQueryOptions, assetQueryOptions } from './asset-queries';
import type { AssetListParams } from './list-params';

/** Keeps showing the previous filter's cards while the next filter loads, instead of flashing skeletons. */
export function useAssetList(params: AssetListParams) {
  return useInfiniteQuery({ ...assetListQueryOptions(params), placeholderData: keepPreviousData });
}

export function useAsset(id: string) {
  return useQuery(assetQueryOptions(id));
}
