// The list's filter, search and sort, kept in the URL so a view can be shared and the back button walks through it.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { paramsFromSearch, searchFromParams, type AssetListParams } from '../api/list-params';

export function useListParams(): [AssetListParams, (patch: Partial<AssetListParams>) => void] {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => paramsFromSearch(search), [search]);
  const update = useCallback(
    (patch: Partial<AssetListParams>) => setSearch((prev) => searchFromParams({ ...paramsFromSearch(prev), ...patch })),
    [setSearch],
  );
  return [params, update];
}
