// The one key factory for asset queries, so lists and details can be invalidated together or apart.
import type { AssetListParams } from './list-params';

export const assetKeys = {
  all: ['assets'] as const,
  lists: () => [...assetKeys.all, 'list'] as const,
  list: (params: AssetListParams) => [...assetKeys.lists(), { phase: params.phase, q: params.q.trim(), sort: params.sort }] as const,
  /** The first page alone, polled; the list's later pages are refreshed from it sparingly (see list-sync.ts). */
  listHead: (params: AssetListParams) => [...assetKeys.list(params), 'head'] as const,
  details: () => [...assetKeys.all, 'detail'] as const,
  detail: (id: string) => [...assetKeys.details(), id] as const,
};
