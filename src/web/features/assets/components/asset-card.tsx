// One asset in the grid, an article of the list's feed. Memoised on the asset object and its place in the list:
// polls keep the very same object for an unchanged asset (structural sharing), so only a changed asset's card
// re-renders; its clock-driven leaves (relative time, countdown) tick on their own.
import { memo, useId } from 'react';
import { Link } from 'react-router';
import { stageLabel, type Asset } from '../../../../contract/asset';
import { ProgressBar } from '../../../components/ui/progress-bar';
import { RelativeTime } from '../../../components/ui/relative-time';
import { firstLine } from '../../../lib/format';
import { countRender } from '../../../lib/render-probe';
import { AssetThumbnail } from './asset-thumbnail';
import { NextStepCountdown } from './next-step-countdown';
import { StageBadge } from './stage-badge';

export interface AssetCardProps {
  asset: Asset;
  /** 1-based place in the whole list, and the list's length (-1 when unknown), for the feed's aria-posinset/setsize. */
  posInSet: number;
  setSize: number;
}

export function AssetCardContent({ asset, posInSet, setSize }: AssetCardProps) {
  countRender(asset.id);
  const titleId = useId();
  const label = stageLabel(asset);
  const step = asset.pipeline[asset.step_index];
  const { phase } = asset.status;
  return (
    <article
      aria-labelledby={titleId}
      aria-posinset={posInSet}
      aria-setsize={setSize}
      // Focusable by script only: the feed's Page Down / Page Up move between articles (WAI-ARIA feed pattern).
      tabIndex={-1}
      data-asset-id={asset.id}
      className="group relative flex h-full overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-xs transition hover:border-zinc-300 hover:shadow-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 has-[a:focus-visible]:outline-2 has-[a:focus-visible]:outline-offset-2 has-[a:focus-visible]:outline-indigo-600 sm:flex-col"
    >
      {/* A row on phones (more cards per screen), a tile from the small breakpoint up. */}
      <AssetThumbnail
        url={asset.thumbnail_url}
        className="w-24 shrink-0 self-stretch border-r border-zinc-100 sm:aspect-[4/3] sm:w-auto sm:self-auto sm:border-r-0 sm:border-b"
      />
      <div className="flex min-w-0 flex-1 flex-col gap-2 p-3 sm:gap-2.5 sm:p-4">
        <div className="flex items-start justify-between gap-3">
          <h2 id={titleId} className="min-w-0 text-sm leading-5 font-semibold text-zinc-900">
            {/* The link stretches over the whole card, so a click anywhere opens it, with one tab stop per card. */}
            <Link to={`/assets/${encodeURIComponent(asset.id)}`} className="line-clamp-2 break-words after:absolute after:inset-0 focus:outline-none">
              {asset.name}
            </Link>
          </h2>
          <StageBadge label={label} />
        </div>
        {step && (
          <p className="text-xs text-zinc-600">
            <span className="font-medium text-zinc-800">{step.label}</span>
            <span aria-hidden="true"> · </span>
            <span className="sr-only">, </span>
            step {asset.step_index + 1} of {asset.pipeline.length}
          </p>
        )}
        {phase === 'processing' && <ProgressBar value={asset.status.progress ?? 0} label={`${step?.label ?? 'Step'} progress`} />}
        {label === 'Approved' && <NextStepCountdown asset={asset} />}
        {phase === 'failed' && asset.status.error_message && (
          <p className="line-clamp-2 text-xs text-red-800">{firstLine(asset.status.error_message)}</p>
        )}
        <p className="mt-auto pt-1 text-xs text-zinc-600">
          <RelativeTime at={asset.status.updated_at} prefix="updated" />
        </p>
      </div>
    </article>
  );
}

export const AssetCard = memo(AssetCardContent);

export function AssetCardSkeleton() {
  return (
    <div aria-hidden="true" className="flex overflow-hidden rounded-xl border border-zinc-200 bg-white sm:flex-col">
      <div className="w-24 shrink-0 bg-zinc-100 motion-safe:animate-pulse sm:aspect-[4/3] sm:w-auto" />
      <div className="flex flex-1 flex-col gap-3 p-3 sm:p-4">
        <div className="h-4 w-2/3 rounded bg-zinc-200 motion-safe:animate-pulse" />
        <div className="h-3 w-1/2 rounded bg-zinc-100 motion-safe:animate-pulse" />
        <div className="h-3 w-1/3 rounded bg-zinc-100 motion-safe:animate-pulse" />
      </div>
    </div>
  );
}
