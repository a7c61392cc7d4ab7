// Watches every asset the app fetches and tells the person when one changes stage: a polite announcement for
// each change, and a toast when one needs them (For Review) or went wrong (Generation Failed).
import { useQueryClient, type InfiniteData, type Query } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useMatch } from 'react-router';
import { stageLabel, type Asset, type StageLabel } from '../../../../contract/asset';
import type { AssetList } from '../../../../contract/api';
import { useNotifier, type Notifier } from '../../../components/ui/notifications';
import { firstLine } from '../../../lib/format';
import { assetKeys } from '../api/asset-keys';
import { assetQueryOptions } from '../api/asset-queries';
import { onRefreshedPage } from '../api/list-sync';
import { isMoving } from '../api/polling';

/**
 * The pages of assets a query holds: a list is every loaded page (InfiniteData) or its polled first page alone (the
 * head query); an asset's own query is one page of one. Null for queries that hold no assets.
 */
function pagesIn(query: Query): readonly (readonly Asset[])[] | null {
  const [root, kind] = query.queryKey;
  const data = query.state.data;
  if (root !== assetKeys.all[0] || data === undefined) return null;
  // The keys are ours, so the data under them is what the asset queryFns return (already parsed by the contract).
  if (kind === 'list') return 'pages' in (data as object) ? (data as InfiniteData<AssetList>).pages.map((p) => p.items) : [(data as AssetList).items];
  if (kind === 'detail') return [[data as Asset]];
  return null;
}

/** `onItsPage`: the asset's own page is open and shows the change itself, so there is no toast to point at it. */
function tell(notifier: Notifier, asset: Asset, label: StageLabel, onItsPage: boolean): void {
  const step = asset.pipeline[asset.step_index]?.label ?? '';
  notifier.announce(`${asset.name} is now ${label}${step ? ` (${step})` : ''}.`);
  if (onItsPage) return;
  // One toast per asset: its latest change replaces an older toast about it.
  const key = asset.id;
  const link = { to: `/assets/${encodeURIComponent(asset.id)}`, label: 'Open asset' };
  if (label === 'For Review') {
    notifier.toast({ key, tone: 'warning', title: `${asset.name} is ready for review`, body: `For Review: ${step}`, link });
  } else if (label === 'Generation Failed') {
    const reason = asset.status.error_message ? firstLine(asset.status.error_message) : 'No reason was given.';
    notifier.toast({ key, tone: 'danger', title: `${asset.name}: Generation Failed`, body: reason, link });
  }
}

export function useStageChangeNotifications(): void {
  const queryClient = useQueryClient();
  const notifier = useNotifier();
  const openId = useMatch('/assets/:id')?.params.id;
  // Read by the cache listener, which outlives renders; a ref so that changing page does not resubscribe.
  const openIdRef = useRef(openId);
  useEffect(() => {
    openIdRef.current = openId;
  }, [openId]);

  useEffect(() => {
    const cache = queryClient.getQueryCache();
    const lastSeen = new Map<string, StageLabel>();
    // Per list query, the assets that were about to change; if one drops out of a filtered list, it changed stage.
    const movingIn = new Map<string, Set<string>>();
    // Pages already looked at (the very item arrays the queries hold). Loading a page of a long list, or a poll,
    // then looks at the new or changed pages only, not at every asset loaded so far: data is never changed in place,
    // so a page whose items array is the same holds the same assets. The moving ones of each page, for movingIn.
    const movingOf = new WeakMap<readonly Asset[], readonly string[]>();

    const look = (items: readonly Asset[], speak: boolean) => {
      if (movingOf.has(items)) return;
      movingOf.set(items, items.filter(isMoving).map((a) => a.id));
      for (const asset of items) {
        const label = stageLabel(asset);
        const before = lastSeen.get(asset.id);
        lastSeen.set(asset.id, label);
        if (speak && before !== undefined && before !== label) tell(notifier, asset, label, asset.id === openIdRef.current);
      }
    };

    const observe = (query: Query, speak: boolean) => {
      const pages = pagesIn(query);
      if (!pages) return;
      for (const items of pages) look(items, speak);
      if (query.queryKey[1] !== 'list') return;
      const moving = new Set(pages.flatMap((items) => movingOf.get(items) ?? []));
      const wasMoving = movingIn.get(query.queryHash);
      movingIn.set(query.queryHash, moving);
      if (!speak || !wasMoving) return;
      const gone = [...wasMoving].filter((id) => !moving.has(id));
      if (gone.length === 0) return;
      const present = new Set(pages.flatMap((items) => items.map((a) => a.id)));
      for (const id of gone) {
        // Fetching it lands in the cache as a detail query, which comes back through here and is compared.
        if (!present.has(id)) queryClient.fetchQuery(assetQueryOptions(id)).catch(() => undefined);
      }
    };

    cache.findAll({ queryKey: assetKeys.all }).forEach((q) => observe(q, false));
    // A later page of a list brought up to date (list-sync.ts) is what the server said, though it then reaches the
    // list as a manual update: heard here first.
    const stopPages = onRefreshedPage((client, page) => {
      if (client === queryClient) look(page.items, true);
    });
    const stopCache = cache.subscribe((event) => {
      // A manual update (setQueryData) is this page's own optimistic change, its rollback or an action's answer: the
      // page already shows it, and it may never have happened on the server. Remember it, but say nothing.
      if (event.type === 'updated' && event.action.type === 'success') observe(event.query, !event.action.manual);
      // A query born with data (a list's polled first page starts from the list's copy) is a starting point too.
      if (event.type === 'added') observe(event.query, false);
      if (event.type === 'removed') movingIn.delete(event.query.queryHash);
    });
    return () => {
      stopPages();
      stopCache();
    };
  }, [queryClient, notifier]);
}
