// The asset's own page, for now a read-only summary: its name, stage, step and pipeline. Review actions, downloads
// and the 3D preview belong to a later issue.
import { Link } from 'react-router';
import { stageLabel, type Asset } from '../../../../contract/asset';
import { ErrorState } from '../../../components/ui/error-state';
import { BackIcon } from '../../../components/ui/icons';
import { PageHeading } from '../../../components/ui/page-heading';
import { ProgressBar } from '../../../components/ui/progress-bar';
import { RelativeTime } from '../../../components/ui/relative-time';
import { buttonStyles } from '../../../components/ui/styles';
import { ApiError } from '../../../lib/api-client';
import { useAsset } from '../api/use-assets';
import { AssetThumbnail } from './asset-thumbnail';
import { NextStepCountdown } from './next-step-countdown';
import { StageBadge } from './stage-badge';

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

  return <Summary asset={query.data} />;
}

function Summary({ asset }: { asset: Asset }) {
  const label = stageLabel(asset);
  const step = asset.pipeline[asset.step_index];
  return (
    <div className="flex flex-col gap-6">
      <title>{`${asset.name} · Asset Forge`}</title>
      <BackLink />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <section aria-label="Summary" className="flex flex-col gap-5 rounded-xl border border-zinc-200 bg-white p-5 sm:p-6">
          <div className="flex flex-col gap-3">
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

          {asset.status.phase === 'processing' && (
            <ProgressBar value={asset.status.progress ?? 0} label={`${step?.label ?? 'Step'} progress`} />
          )}
          {label === 'Approved' && <NextStepCountdown asset={asset} />}
          {asset.status.phase === 'failed' && (
            <section aria-label="Failure reason" className="rounded-lg border border-red-200 bg-red-50 p-4">
              <h2 className="text-sm font-semibold text-red-900">Failure reason</h2>
              <p className="mt-1 text-sm whitespace-pre-line text-red-800">{asset.status.error_message ?? 'No reason was given.'}</p>
            </section>
          )}

          <AssetThumbnail url={asset.thumbnail_url} className="aspect-square w-full max-w-xs rounded-lg border border-zinc-200" />
          <p className="text-sm text-zinc-600">Reviewing, approving and downloading from this page are not available yet.</p>
        </section>

        <section aria-labelledby="pipeline-heading" className="rounded-xl border border-zinc-200 bg-white p-5 sm:p-6">
          <h2 id="pipeline-heading" className="text-sm font-semibold text-zinc-900">
            Pipeline
          </h2>
          <ol className="mt-4 flex flex-col gap-3">
            {asset.pipeline.map((s, i) => {
              const current = i === asset.step_index;
              const done = i < asset.step_index || (current && asset.status.phase === 'completed');
              return (
                <li key={s.key} aria-current={current ? 'step' : undefined} className="flex items-center gap-3 text-sm">
                  <span
                    className={`flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${
                      current ? 'bg-indigo-600 text-white' : done ? 'bg-emerald-100 text-emerald-800' : 'bg-zinc-100 text-zinc-600'
                    }`}
                    aria-hidden="true"
                  >
                    {i + 1}
                  </span>
                  <span className={current ? 'font-semibold text-zinc-900' : done ? 'text-zinc-800' : 'text-zinc-600'}>{s.label}</span>
                  {done && <span className="sr-only">(done)</span>}
                </li>
              );
            })}
          </ol>
        </section>
      </div>
    </div>
  );
}
