// What the list shows (stage filter, search, sort): read from and written to the URL, and turned into the API's query.
import { PhaseSchema, type Phase } from '../../../../contract/asset';
import { LIMITS, SortSchema, type Sort } from '../../../../contract/api';

export interface AssetListParams {
  phase: Phase | null;
  q: string;
  sort: Sort;
}

export const DEFAULT_LIST_PARAMS: AssetListParams = { phase: null, q: '', sort: 'newest' };

/** Cards in the first page: small enough for a quick first paint and a cheap poll, large enough to fill a wide screen. */
export const PAGE_SIZE = 24;
/** Cards per later page, loaded as the end of the list nears: the API's maximum, so 10,000 assets take 100 requests. */
export const MORE_PAGE_SIZE = LIMITS.listLimitMax;

/** Unknown values in a shared or hand-edited URL fall back to the defaults instead of breaking the page. */
export function paramsFromSearch(search: URLSearchParams): AssetListParams {
  const phase = PhaseSchema.safeParse(search.get('phase'));
  const sort = SortSchema.safeParse(search.get('sort'));
  return {
    phase: phase.success ? phase.data : null,
    q: (search.get('q') ?? '').slice(0, LIMITS.nameMax),
    sort: sort.success ? sort.data : DEFAULT_LIST_PARAMS.sort,
  };
}

/** Defaults are left out so that the plain list has the plain URL "/". */
export function searchFromParams(params: AssetListParams): URLSearchParams {
  const search = new URLSearchParams();
  if (params.phase) search.set('phase', params.phase);
  if (params.q.trim()) search.set('q', params.q);
  if (params.sort !== DEFAULT_LIST_PARAMS.sort) search.set('sort', params.sort);
  return search;
}

export function listPath(params: AssetListParams, cursor: string | null): string {
  const query = new URLSearchParams();
  if (params.phase) query.set('phase', params.phase);
  const q = params.q.trim();
  if (q) query.set('q', q);
  query.set('sort', params.sort);
  query.set('limit', String(cursor ? MORE_PAGE_SIZE : PAGE_SIZE));
  if (cursor) query.set('cursor', cursor);
  return `/api/assets?${query.toString()}`;
}
