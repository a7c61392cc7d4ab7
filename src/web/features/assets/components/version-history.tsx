// Every version of the asset, newest first: where it came from, for which step, when, and the note it answered;
// each can be previewed above or downloaded.
import type { Asset, Version, VersionSource } from '../../../../contract/asset';
import { DownloadIcon, EyeIcon } from '../../../components/ui/icons';
import { RelativeTime } from '../../../components/ui/relative-time';
import { buttonStyles } from '../../../components/ui/styles';
import { formatBytes } from '../../../lib/format';

const SOURCE: Record<VersionSource, { label: string; className: string }> = {
  generated: { label: 'Generated', className: 'bg-zinc-100 text-zinc-700' },
  revision: { label: 'Revision', className: 'bg-amber-50 text-amber-900' },
  uploaded: { label: 'Uploaded', className: 'bg-sky-50 text-sky-800' },
};

export function downloadUrl(assetId: string, query: Record<string, string>): string {
  return `/api/assets/${encodeURIComponent(assetId)}/download?${new URLSearchParams(query).toString()}`;
}

const small = 'px-2.5 py-1.5 text-xs';

function VersionRow({ asset, version, selected, onPreview }: { asset: Asset; version: Version; selected: boolean; onPreview: (n: number) => void }) {
  const step = asset.pipeline.find((s) => s.key === version.step_key)?.label ?? version.step_key;
  const source = SOURCE[version.source];
  return (
    <li className={`flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-start sm:gap-4 ${selected ? 'bg-indigo-50/60' : ''}`}>
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
          <span className="font-semibold text-zinc-900">Version {version.n}</span>
          <span className={`rounded-md px-1.5 py-0.5 text-xs font-medium ${source.className}`}>{source.label}</span>
          <span className="text-zinc-700">{step}</span>
        </p>
        <p className="mt-0.5 text-xs text-zinc-600">
          <RelativeTime at={version.created_at} />
          <span aria-hidden="true"> · </span>
          <span className="sr-only">, </span>
          {version.triangles.toLocaleString('en')} triangles
          <span aria-hidden="true"> · </span>
          <span className="sr-only">, </span>
          {formatBytes(version.size_bytes)}
        </p>
        {version.note && <p className="mt-1 text-sm break-words whitespace-pre-line text-zinc-700">“{version.note}”</p>}
      </div>
      <div className="flex shrink-0 gap-2">
        <button
          type="button"
          aria-pressed={selected}
          aria-label={`Preview version ${version.n}`}
          onClick={() => onPreview(version.n)}
          className={`${selected ? buttonStyles.primary : buttonStyles.secondary} ${small}`}
        >
          <EyeIcon className="size-3.5" />
          Preview
        </button>
        <a href={downloadUrl(asset.id, { version: String(version.n) })} download aria-label={`Download version ${version.n}`} className={`${buttonStyles.secondary} ${small}`}>
          <DownloadIcon className="size-3.5" />
          Download
        </a>
      </div>
    </li>
  );
}

export function VersionHistory({ asset, selected, onPreview }: { asset: Asset; selected: number | null; onPreview: (n: number) => void }) {
  const versions = [...asset.versions].sort((a, b) => b.n - a.n);
  return (
    <section aria-labelledby="versions-heading" className="overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-xs">
      <h2 id="versions-heading" className="border-b border-zinc-200 px-4 py-3 text-sm font-semibold text-zinc-900">
        Version history <span className="font-normal text-zinc-600">({versions.length})</span>
      </h2>
      {versions.length === 0 ? (
        <p className="px-4 py-6 text-sm text-zinc-600">No versions yet: the first one appears when High Poly Geometry finishes.</p>
      ) : (
        <ol className="divide-y divide-zinc-100">
          {versions.map((v) => (
            <VersionRow key={v.n} asset={asset} version={v} selected={v.n === selected} onPreview={onPreview} />
          ))}
        </ol>
      )}
    </section>
  );
}
