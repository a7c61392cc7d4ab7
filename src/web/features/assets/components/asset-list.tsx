// The Assets page body: header, stage filter with live counts, search, sort, and the grid in all its states.
import { useCallback, useMemo } from 'react';
import { Link } from 'react-router';
import type { Asset, Phase } from '../../../../contract/asset';
import type { Sort } from '../../../../contract/api';
import { ErrorState } from '../../../components/ui/error-state';
import { CubeIcon, PlusIcon, SearchIcon } from '../../../components/ui/icons';
import { PageHeading } from '../../../components/ui/page-heading';
import { buttonStyles } from '../../../components/ui/styles';
import { ViewOnlyNote } from '../../../components/ui/view-only-note';
import { isUnreachable } from '../../../lib/api-client';
import { useCan } from '../../../lib/authorization';
import { DEFAULT_LIST_PARAMS, type AssetListParams } from '../api/list-params';
import { useAssetList } from '../api/use-assets';
import { useListParams } from '../hooks/use-list-params';
import { AssetCard, AssetCardSkeleton } from './asset-card';
import { AssetSearch } from './asset-search';
import { SortSelect } from './sort-select';
import { StageFilter } from './stage-filter';

const SKELETONS = 8;
const GRID = 'grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4';

export function AssetList() {
  const [params, update] = useListParams();
  const list = useAssetList(params);
  const canCreate = useCan('editor');
  const pages = list.data?.pages;
  const assets = useMemo(() => pages?.flatMap((p) => p.items) ?? [], [pages]);
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
        assets={assets}
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
  list,
  onShowAll,
  canCreate,
}: {
  params: AssetListParams;
  assets: Asset[];
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

  return (
    <div className="flex flex-col gap-6">
      <ul
        aria-label="Assets"
        aria-busy={list.isPlaceholderData}
        className={`${GRID} transition-opacity ${list.isPlaceholderData ? 'opacity-60' : ''}`}
      >
        {assets.map((asset) => (
          <li key={asset.id}>
            <AssetCard asset={asset} />
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <div className="flex justify-center">
          <button
            type="button"
            className={buttonStyles.secondary}
            disabled={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
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
