// Creating an asset: the multipart upload with progress, and putting the new card on screen at once.
import { useMutation, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { AssetSchema, type Asset } from '../../../../contract/asset';
import type { AssetList } from '../../../../contract/api';
import { apiUpload } from '../../../lib/api-client';
import { assetKeys } from './asset-keys';
import type { AssetListParams } from './list-params';

export interface NewAsset {
  name: string;
  /** As typed; empty means the service default. */
  polycount: string;
  images: readonly File[];
}

export function createAsset(input: NewAsset, onProgress?: (fraction: number) => void): Promise<Asset> {
  const form = new FormData();
  form.append('name', input.name);
  if (input.polycount.trim()) form.append('polycount', input.polycount.trim());
  // The API takes one "images" part per file.
  for (const file of input.images) form.append('images', file, file.name);
  return apiUpload('/api/assets', form, AssetSchema, onProgress ? { onProgress } : {});
}

function listShows(params: AssetListParams, asset: Asset): boolean {
  const q = params.q.trim().toLowerCase();
  return (params.phase === null || params.phase === asset.status.phase) && (!q || asset.name.toLowerCase().includes(q));
}

/** Puts a just-created asset into every cached list that would show it first, so the card is there before any refetch. */
function addToCachedLists(queryClient: QueryClient, asset: Asset): void {
  const lists = queryClient.getQueriesData<InfiniteData<AssetList, string | null>>({ queryKey: assetKeys.lists() });
  for (const [key, data] of lists) {
    const params = key[2] as AssetListParams | undefined;
    // The polled first pages (head queries) catch up through the refetch below.
    if (!data || !params || !('pages' in data)) continue;
    const q = params.q.trim().toLowerCase();
    const matchesSearch = !q || asset.name.toLowerCase().includes(q);
    const prepend = listShows(params, asset) && params.sort !== 'name';
    queryClient.setQueryData<InfiniteData<AssetList, string | null>>(key, {
      ...data,
      pages: data.pages.map((page, i) => ({
        ...page,
        items: prepend && i === 0 && !page.items.some((a) => a.id === asset.id) ? [asset, ...page.items] : page.items,
        counts: matchesSearch ? { ...page.counts, processing: page.counts.processing + 1 } : page.counts,
      })),
    });
  }
}

export interface CreateAssetVariables {
  input: NewAsset;
  onProgress?: (fraction: number) => void;
}

export function useCreateAsset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ input, onProgress }: CreateAssetVariables) => createAsset(input, onProgress),
    onSuccess: async (asset) => {
      queryClient.setQueryData(assetKeys.detail(asset.id), asset);
      addToCachedLists(queryClient, asset);
      // The server's answer is still the truth: order, counts and pages are refetched when the list shows again.
      await queryClient.invalidateQueries({ queryKey: assetKeys.lists() });
    },
  });
}
