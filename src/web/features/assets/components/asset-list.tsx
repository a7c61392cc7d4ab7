// The Assets page body: header, stage filter with live counts, search, sort, and the grid in all its states.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Asset, Phase } from '../../../../contract/asset';
import type { AssetList as AssetListPage, PhaseCounts, Sort } from '../../../../contract/api';
import { ErrorState } from '../../../components/ui/error-state';
import { CubeIcon, PlusIcon, SearchIcon } from '../../../components/ui/icons';
import { PageHeading } from '../../../components/ui/page-heading';
import { buttonStyles } from '../../../components/ui/styles';
import { ViewOnlyNote } from '../../../components/ui/view-only-note';
import { isUnreachable } from '../../../lib/api-client';
import { useCan } from '../../../lib/authorization';
import { DEFAULT_LIST_PARAMS, type AssetListParams } from '../api/list-params';
import type { LoadedPages } from '../api/list-sync';
import { useAssetList } from '../api/use-assets';
import { useListFreshness, type LoadedList as LoadedListState } from '../hooks/use-list-freshness';
import { useListParams } from '../hooks/use-list-params';
import { AssetCardSkeleton } from './asset-card';
import { AssetFeed, GRID } from './asset-feed';
import { AssetSearch } from './asset-search';
import { SortSelect } from './sort-select';
import { StageFilter } from './stage-filter';

const SKELETONS = 8;

/** The loaded pages as one list, each asset once (a moved page boundary can repeat one), with where each page starts. */
function flatten(pages: readonly AssetListPage[] | undefined): { assets: Asset[]; pageStarts: number[] } {
  const assets: Asset[] = [];
  const pageStarts: number[] = [];
  const seen = new Set<string>();
  for (const page of pages ?? []) {
    pageStarts.push(assets.length);
    for (const asset of page.items) {
      if (seen.has(asset.id)) continue;
      seen.add(asset.id);
      assets.push(asset);
    }
  }
  return { assets, pageStarts };
}

/** How many assets the list has in all, from the counts; -1 when not known. */
function listSize(params: AssetListParams, counts: PhaseCounts | undefined): number {
  if (!counts) return -1;
  return params.phase ? counts[params.phase] : counts.processing + counts.for_review + counts.completed + counts.failed;
}

export function AssetList() {
  const [params, update] = useListParams();
  const list = useAssetList(params);
  const canCreate = useCan('editor');
  const pages = list.data?.pages;
  const flat = useMemo(() => flatten(pages), [pages]);
  const counts = pages?.[0]?.counts;

  const setPhase = useCallback((phase: Phase | null) => update({ phase }), [update]);
  const setSearch = useCallback((q: string) => update({ q }), [update]);
  const setSort = useCallback((sort: Sort) => update({ sort }), [update]);

  return (
    <div className="flex flex-col gap-6">
      <div>
        <div className="flex items-center justify-between gap-4">
          <PageHeading>Assets</PageHeading>
          {canCreate && (
            <Link to="/new" className={buttonStyles.primary}>
              <PlusIcon />
              New asset
            </Link>
          )}
        </div>
        <p className="mt-1 text-sm text-zinc-600">Reference images in, reviewed 3D models out, one step at a time.</p>
        {!canCreate && <ViewOnlyNote className="mt-3">View only — ask an admin for the editor role to create and review assets.</ViewOnlyNote>}
      </div>

      <div className="flex flex-col gap-3 lg:flex-row lg:items-center lg:justify-between">
        <StageFilter value={params.phase} counts={counts} onChange={setPhase} />
        <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
          <AssetSearch value={params.q} onChange={setSearch} />
          <SortSelect value={params.sort} onChange={setSort} />
        </div>
      </div>

      <ListBody
        params={params}
        assets={flat.assets}
        pageStarts={flat.pageStarts}
        list={list}
        onShowAll={() => update({ ...DEFAULT_LIST_PARAMS, sort: params.sort })}
        canCreate={canCreate}
      />
    </div>
  );
}

function ListBody({
  params,
  assets,
  pageStarts,
  list,
  onShowAll,
  canCreate,
}: {
  params: AssetListParams;
  assets: Asset[];
  pageStarts: number[];
  list: ReturnType<typeof useAssetList>;
  onShowAll: () => void;
  canCreate: boolean;
}) {
  if (list.isPending) {
    return (
      <div aria-busy="true">
        <p role="status" className="sr-only">
          Loading assets…
        </p>
        <div className={GRID}>
          {Array.from({ length: SKELETONS }, (_, i) => (
            <AssetCardSkeleton key={i} />
          ))}
        </div>
      </div>
    );
  }

  if (!list.data) {
    const error = list.error;
    return (
      <ErrorState
        title="Couldn't load assets"
        message={
          isUnreachable(error)
            ? 'The server cannot be reached right now. This page keeps trying by itself.'
            : (error?.message ?? 'Something went wrong.')
        }
        onRetry={() => void list.refetch()}
      />
    );
  }

  if (assets.length === 0) {
    const filtered = params.phase !== null || params.q.trim() !== '';
    return filtered ? <NoMatches onShowAll={onShowAll} /> : <NoAssetsYet canCreate={canCreate} />;
  }

  return <LoadedList params={params} assets={assets} pageStarts={pageStarts} list={list} data={list.data} />;
}

/** Starts loading the next page while the end of the list is still `NEAR_END_PX` below the viewport. */
const NEAR_END_PX = 1500;

function LoadedList({
  params,
  assets,
  pageStarts,
  list,
  data,
}: {
  params: AssetListParams;
  assets: Asset[];
  pageStarts: number[];
  list: ReturnType<typeof useAssetList>;
  data: LoadedPages;
}) {
  const [visiblePages, setVisiblePages] = useState<number[]>([0]);
  const onVisibleRange = useCallback(
    (first: number, last: number) => {
      const pages: number[] = [];
      pageStarts.forEach((start, i) => {
        const end = pageStarts[i + 1] ?? Infinity;
        if (start <= last && end > first) pages.push(i);
      });
      setVisiblePages((before) => (before.join() === pages.join() ? before : pages));
    },
    [pageStarts],
  );

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const end = useRef<HTMLDivElement>(null);
  const [nearEnd, setNearEnd] = useState(false);
  useEffect(() => {
    const el = end.current;
    // No IntersectionObserver (old browsers, jsdom): the "Load more" button does it.
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(([entry]) => setNearEnd(entry?.isIntersecting ?? false), { rootMargin: `0px 0px ${NEAR_END_PX}px 0px` });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // Keeps loading while the end stays near (a short page does not push it away).
  useEffect(() => {
    if (nearEnd && hasNextPage && !isFetchingNextPage && !list.isPlaceholderData) void fetchNextPage();
  }, [nearEnd, hasNextPage, isFetchingNextPage, fetchNextPage, list.isPlaceholderData]);

  return (
    <div className="flex flex-col gap-6">
      {!list.isPlaceholderData && (
        <ListFreshness
          key={JSON.stringify(params)}
          list={{ params, data, loadedAt: list.dataUpdatedAt, justFetched: list.isFetchedAfterMount }}
          visiblePages={visiblePages}
        />
      )}
      <AssetFeed
        assets={assets}
        setSize={hasNextPage ? listSize(params, data.pages[0]?.counts) : assets.length}
        busy={list.isPlaceholderData || isFetchingNextPage}
        stale={list.isPlaceholderData}
        onVisibleRange={onVisibleRange}
      />
      <div ref={end} className="flex justify-center">
        {/* Loading happens by itself while scrolling; the button is there for keyboards and for jumping ahead. */}
        {hasNextPage && (
          <button type="button" className={buttonStyles.secondary} disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
            {isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}
      </div>
    </div>
  );
}

function ListFreshness({ list, visiblePages }: { list: LoadedListState; visiblePages: number[] }) {
  useListFreshness(list, visiblePages);
  return null;
}

function NoAssetsYet({ canCreate }: { canCreate: boolean }) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed border-zinc-300 bg-white px-6 py-16 text-center">
      <span className="flex size-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-700">
        <CubeIcon className="size-6" />
      </span>
      <h2 className="mt-4 text-base font-semibold text-zinc-900">No assets yet</h2>
      {canCreate ? (
        <>
          <p className="mt-1 max-w-sm text-sm text-zinc-600">
            Upload a few photos of an object and Asset Forge builds a 3D model from them, step by step, with your review after each step.
          </p>
          <Link to="/new" className={`${buttonStyles.primary} mt-6`}>
            <PlusIcon />
            Create your first asset
          </Link>
        </>
      ) : (
        <p className="mt-1 max-w-sm text-sm text-zinc-600">Assets that editors create show up here.</p>
      )}
    </div>
  );
}

function NoMatches({ onShowAll }: { onShowAll: () => void }) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed border-zinc-300 bg-white px-6 py-16 text-center">
      <span className="flex size-12 items-center justify-center rounded-full bg-zinc-100 text-zinc-600">
        <SearchIcon className="size-6" />
      </span>
      <h2 className="mt-4 text-base font-semibold text-zinc-900">No assets match</h2>
      <p className="mt-1 max-w-sm text-sm text-zinc-600">Nothing here for this stage and search. Try another stage or clear the search.</p>
      <button type="button" onClick={onShowAll} className={`${buttonStyles.secondary} mt-6`}>
        Show all assets
      </button>
    </div>
  );
}
