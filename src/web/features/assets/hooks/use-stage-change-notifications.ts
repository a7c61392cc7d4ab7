// Watches every asset the app fetches and tells the person when one changes stage: a polite announcement for
// each change, and a toast when one needs them (For Review) or went wrong (Generation Failed).
import { useQueryClient, type InfiniteData, type Query } from '@tanstack/react-query';
import { useEffect } from 'react';
import { stageLabel, type Asset, type StageLabel } from '../../../../contract/asset';
import type { AssetList } from '../../../../contract/api';
import { useNotifier, type Notifier } from '../../../components/ui/notifications';
import { firstLine } from '../../../lib/format';
import { assetKeys } from '../api/asset-keys';
import { assetQueryOptions } from '../api/asset-queries';
import { isMoving } from '../api/polling';

function assetsIn(query: Query): Asset[] {
  const [root, kind] = query.queryKey;
  const data = query.state.data;
  if (root !== assetKeys.all[0] || data === undefined) return [];
  // The keys are ours, so the data under them is what the asset queryFns return (already parsed by the contract).
  if (kind === 'list') return (data as InfiniteData<AssetList>).pages.flatMap((p) => p.items);
  if (kind === 'detail') return [data as Asset];
  return [];
}

function tell(notifier: Notifier, asset: Asset, label: StageLabel): void {
  const step = asset.pipeline[asset.step_index]?.label ?? '';
  notifier.announce(`${asset.name} is now ${label}${step ? ` (${step})` : ''}.`);
  const link = { to: `/assets/${encodeURIComponent(asset.id)}`, label: 'Open asset' };
  if (label === 'For Review') {
    notifier.toast({ tone: 'warning', title: `${asset.name} is ready for review`, body: `For Review: ${step}`, link });
  } else if (label === 'Generation Failed') {
    const reason = asset.status.error_message ? firstLine(asset.status.error_message) : 'No reason was given.';
    notifier.toast({ tone: 'danger', title: `${asset.name}: Generation Failed`, body: reason, link });
  }
}

export function useStageChangeNotifications(): void {
  const queryClient = useQueryClient();
  const notifier = useNotifier();

  useEffect(() => {
    const cache = queryClient.getQueryCache();
    const lastSeen = new Map<string, StageLabel>();
    // Per list query, the assets that were about to change; if one drops out of a filtered list, it changed stage.
    const movingIn = new Map<string, Set<string>>();

    const observe = (query: Query, speak: boolean) => {
      const assets = assetsIn(query);
      for (const asset of assets) {
        const label = stageLabel(asset);
        const before = lastSeen.get(asset.id);
        lastSeen.set(asset.id, label);
        if (speak && before !== undefined && before !== label) tell(notifier, asset, label);
      }
      if (query.queryKey[1] !== 'list') return;
      const present = new Set(assets.map((a) => a.id));
      const wasMoving = movingIn.get(query.queryHash);
      movingIn.set(query.queryHash, new Set(assets.filter(isMoving).map((a) => a.id)));
      if (!speak || !wasMoving) return;
      for (const id of wasMoving) {
        // Fetching it lands in the cache as a detail query, which comes back through here and is compared.
        if (!present.has(id)) queryClient.fetchQuery(assetQueryOptions(id)).catch(() => undefined);
      }
    };

    cache.findAll({ queryKey: assetKeys.all }).forEach((q) => observe(q, false));
    return cache.subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'success') observe(event.query, true);
      if (event.type === 'removed') movingIn.delete(event.query.queryHash);
    });
  }, [queryClient, notifier]);
}
