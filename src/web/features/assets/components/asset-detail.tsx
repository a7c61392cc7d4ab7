// The asset's own page, where a person reviews each step: name, stage and pipeline; the 3D preview of the chosen
// version beside the panel for the current stage (on phones the panel comes first); and the version history.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { stageLabel, type Asset, type StageLabel } from '../../../../contract/asset';
import { ErrorState } from '../../../components/ui/error-state';
import { BackIcon } from '../../../components/ui/icons';
import { PageHeading } from '../../../components/ui/page-heading';
import { ProgressBar } from '../../../components/ui/progress-bar';
import { RelativeTime } from '../../../components/ui/relative-time';
import { buttonStyles } from '../../../components/ui/styles';
import { ApiError } from '../../../lib/api-client';
import { formatBytes } from '../../../lib/format';
import { useAsset } from '../api/use-assets';
import { ActionBanner } from './action-banner';
import { DownloadPanel } from './download-panel';
import { FailurePanel } from './failure-panel';
import { NextStepPanel } from './next-step-panel';
import { PipelineStepper } from './pipeline-stepper';
import { ReviewPanel } from './review-panel';
import { StageBadge } from './stage-badge';
import { VersionHistory } from './version-history';
import { NoPreview, VersionPreview } from './version-preview';

function BackLink() {
  return (
    <Link to="/" className={`${buttonStyles.ghost} -ml-2.5 self-start`}>
      <BackIcon />
      Back to assets
    </Link>
  );
}

export function AssetDetail({ id }: { id: string }) {
  const query = useAsset(id);

  if (query.isPending) {
    return (
      <div className="flex flex-col gap-4" aria-busy="true">
        <BackLink />
        <p role="status" className="text-sm text-zinc-600">
          Loading asset…
        </p>
      </div>
    );
  }

  if (!query.data) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <div className="flex flex-col gap-4">
        <BackLink />
        {notFound ? (
          <>
            <title>Asset not found · Asset Forge</title>
            <PageHeading>Asset not found</PageHeading>
            <p className="text-sm text-zinc-600">It may have been deleted, or the link is mistyped.</p>
          </>
        ) : (
          <ErrorState title="Couldn't load this asset" message={query.error?.message ?? 'Something went wrong.'} onRetry={() => void query.refetch()} />
        )}
      </div>
    );
  }

  return <AssetView asset={query.data} />;
}

const PANEL_TITLE: Record<StageLabel, string> = {
  Processing: 'In progress',
  'For Review': 'Your review',
  Approved: 'Next step',
  Completed: 'Final asset',
  'Generation Failed': 'Generation failed',
};

function StagePanel({ asset, label }: { asset: Asset; label: StageLabel }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const shown = useRef(label);
  useEffect(() => {
    // An action that changes the stage removes the button that had the focus; keep the keyboard user in the panel.
    if (shown.current !== label && (document.activeElement === document.body || document.activeElement === null)) headingRef.current?.focus();
    shown.current = label;
  }, [label]);
  const step = asset.pipeline[asset.step_index]?.label ?? 'Step';
  return (
    <section aria-labelledby="stage-panel-heading" className="flex flex-col gap-4 rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6">
      <h2 id="stage-panel-heading" ref={headingRef} tabIndex={-1} className="text-base font-semibold text-zinc-900 outline-none">
        {PANEL_TITLE[label]}
      </h2>
      {label === 'Processing' && (
        <div className="flex flex-col gap-3">
          <p className="text-sm text-zinc-700">{step} is running. The result appears here for review as soon as it is ready.</p>
          <ProgressBar value={asset.status.progress ?? 0} label={`${step} progress`} />
        </div>
      )}
      {label === 'For Review' && <ReviewPanel asset={asset} focusPanel={() => headingRef.current?.focus()} />}
      {label === 'Approved' && <NextStepPanel asset={asset} />}
      {label === 'Completed' && <DownloadPanel asset={asset} />}
      {label === 'Generation Failed' && <FailurePanel asset={asset} />}
    </section>
  );
}

function Facts({ asset, n }: { asset: Asset; n: number | null }) {
  const version = asset.versions.find((v) => v.n === n);
  const rows: [string, ReactNode][] = [
    ['Created', <RelativeTime key="c" at={asset.created_at} />],
    ['Polycount target', asset.polycount === null ? 'Service default' : asset.polycount.toLocaleString('en')],
    ...(version
      ? ([
          ['File size', formatBytes(version.size_bytes)],
        ] as [string, ReactNode][])
      : []),
    ['Revisions requested', String(asset.revisions.length)],
  ];
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-3 rounded-xl border border-zinc-200 bg-white p-5 text-sm shadow-xs sm:p-6">
      {rows.map(([term, value]) => (
        <div key={term} className="min-w-0">
          <dt className="text-xs text-zinc-600">{term}</dt>
          <dd className="mt-0.5 font-medium text-zinc-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function AssetView({ asset }: { asset: Asset }) {
  const label = stageLabel(asset);
  const step = asset.pipeline[asset.step_index];
  // null follows the latest version, so a new one (a revision, an upload) shows by itself.
  const [chosen, setChosen] = useState<number | null>(null);
  const latest = asset.versions.reduce<number | null>((max, v) => (max === null || v.n > max ? v.n : max), null);
  const selected = chosen !== null && asset.versions.some((v) => v.n === chosen) ? chosen : latest;
  const selectedVersion = asset.versions.find((v) => v.n === selected);
  const selectedStep = asset.pipeline.find((s) => s.key === selectedVersion?.step_key)?.label;

  return (
    <div className="flex flex-col gap-6">
      <title>{`${asset.name} · Asset Forge`}</title>
      <div className="flex flex-col gap-3">
        <BackLink />
        <div className="flex flex-col gap-2">
          <PageHeading className="break-words">{asset.name}</PageHeading>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm text-zinc-600">
            <StageBadge label={label} />
            {step && (
              <span>
                <span className="font-medium text-zinc-800">{step.label}</span> · step {asset.step_index + 1} of {asset.pipeline.length}
              </span>
            )}
            <RelativeTime at={asset.status.updated_at} prefix="updated" />
          </div>
        </div>
      </div>

      <div className="rounded-xl border border-zinc-200 bg-white px-3 py-4 shadow-xs sm:px-6">
        <PipelineStepper asset={asset} />
      </div>

      <ActionBanner assetId={asset.id} />

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_26rem] lg:items-start">
        {/* First in the page, so on phones the actions come before the tall preview; on wide screens it sits on the right. */}
        <div className="flex min-w-0 flex-col gap-6 lg:col-start-2 lg:row-span-2 lg:row-start-1">
          <StagePanel asset={asset} label={label} />
          <Facts asset={asset} n={selected} />
        </div>

        <section
          aria-labelledby="preview-heading"
          className="flex min-w-0 flex-col gap-3 rounded-xl border border-zinc-200 bg-white p-3 shadow-xs sm:p-4 lg:col-start-1 lg:row-start-1"
        >
          <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 px-1">
            <h2 id="preview-heading" className="text-base font-semibold text-zinc-900">
              Preview
            </h2>
            {selectedVersion && (
              <p className="text-sm text-zinc-600">
                Version {selectedVersion.n}
                {selectedStep ? ` · ${selectedStep}` : ''}
                {selected === latest ? ' · latest' : ''}
              </p>
            )}
          </div>
          {selectedVersion ? (
            <VersionPreview assetId={asset.id} n={selectedVersion.n} label={`3D preview of ${asset.name}, version ${selectedVersion.n}`} />
          ) : (
            <NoPreview>{label === 'Generation Failed' ? 'No model was made.' : 'The first model appears here when High Poly Geometry finishes.'}</NoPreview>
          )}
        </section>


        <div className="min-w-0 lg:col-start-1 lg:row-start-2">
          <VersionHistory asset={asset} selected={selected} onPreview={setChosen} />
        </div>
      </div>
    </div>
  );
}
