// Keeps a long list fresh without refetching every loaded page on every poll. The first page is polled on its own
// (the head query); when its ETag changes (the server moves the list tag on any change, possibly on a later
// page), later pages become out of date, and only those on screen are fetched again,
// one conditional request each; pages holding something that moves are refreshed with every poll while on screen.
// Pages off screen wait until they scroll back into view.
//
// Seam for the server's cheaper polling (a changes-since cursor): `refreshPages` is the one place that brings
// later pages up to date; with changes-since it becomes one request for the assets changed since the last poll,
// patched into whichever loaded page holds them (`patchAssets` below), and nothing else changes.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Asset } from '../../../../contract/asset';
import { AssetListSchema, type AssetList } from '../../../../contract/api';
import { apiGet } from '../../../lib/api-client';
import { assetKeys } from './asset-keys';
import { listPath, type AssetListParams } from './list-params';

export type ListData = InfiniteData<AssetList, string | null>;

type RefreshedPageListener = (queryClient: QueryClient, page: AssetList) => void;
const refreshedPageListeners = new Set<RefreshedPageListener>();

/**
 * Tells `listener` of every later page `refreshPages` fetched, just before it goes into its list. Such a page reaches
 * the list through setQueryData, as an action's optimistic change does, but it is what the server said: the
 * stage-change notifications listen here to announce what changed on it.
 */
export function onRefreshedPage(listener: RefreshedPageListener): () => void {
  refreshedPageListeners.add(listener);
  return () => refreshedPageListeners.delete(listener);
}

/** What a list shows, however its page params are typed. */
export interface LoadedPages {
  pages: readonly AssetList[];
}

/**
 * Puts a freshly fetched page at `index`. When its next_cursor is no longer the cursor the following page was
 * fetched with, the boundary moved (an asset was added, removed or re-sorted): the following page keeps its items
 * until it is fetched again, with the new cursor, and `shifted` says so. A page that now ends the list drops the
 * pages after it.
 */
export function putPage(data: ListData, index: number, page: AssetList): { data: ListData; shifted: boolean } {
  const pages = data.pages.slice();
  const pageParams = data.pageParams.slice();
  pages[index] = page;
  let shifted = false;
  if (index + 1 < pages.length && pageParams[index + 1] !== page.next_cursor) {
    shifted = true;
    if (page.next_cursor === null) {
      pages.length = index + 1;
      pageParams.length = index + 1;
    } else {
      pageParams[index + 1] = page.next_cursor;
    }
  }
  return { data: { pages, pageParams }, shifted };
}

/** Replaces loaded copies of `changed` assets by id, wherever they are; pages without any keep their identity. */
export function patchAssets(data: ListData, changed: readonly Asset[]): ListData {
  const byId = new Map(changed.map((a) => [a.id, a]));
  return {
    ...data,
    pages: data.pages.map((page) =>
      page.items.some((a) => byId.has(a.id)) ? { ...page, items: page.items.map((a) => byId.get(a.id) ?? a) } : page,
    ),
  };
}

/**
 * Fetches the later pages `indices` again (in order, so a moved boundary is followed by the next page) and puts
 * them into the list. Returns the indices whose following page's cursor moved.
 */
export async function refreshPages(
  queryClient: QueryClient,
  params: AssetListParams,
  indices: readonly number[],
  signal?: AbortSignal,
): Promise<Set<number>> {
  const key = assetKeys.list(params);
  const shifted = new Set<number>();
  for (const index of [...indices].sort((a, b) => a - b)) {
    const cursor = queryClient.getQueryData<ListData>(key)?.pageParams[index];
    if (index === 0 || cursor === undefined || cursor === null) continue;
    const page = await apiGet(listPath(params, cursor), AssetListSchema, signal ? { signal } : {});
    if (signal?.aborted) break;
    const current = queryClient.getQueryData<ListData>(key);
    // A whole refetch (after an action) or another refresh replaced the page meanwhile: its answer wins.
    if (!current || current.pageParams[index] !== cursor) continue;
    refreshedPageListeners.forEach((listener) => listener(queryClient, page));
    const next = putPage(current, index, page);
    if (next.shifted) shifted.add(index);
    queryClient.setQueryData<ListData>(key, next.data);
  }
  return shifted;
}
