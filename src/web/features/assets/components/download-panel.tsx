// Completed: download the final asset in a chosen format (a plain GET form, so the browser saves the file itself),
// or start a new asset (editors and up).
import { useId } from 'react';
import { DOWNLOAD_FORMATS, type DownloadFormat } from '../../../../contract/api';
import type { Asset } from '../../../../contract/asset';
import { DownloadIcon, PlusIcon } from '../../../components/ui/icons';
import { buttonStyles, inputStyles } from '../../../components/ui/styles';
import { useCan } from '../../../lib/authorization';
import { Link } from 'react-router';

const FORMAT_LABEL: Record<DownloadFormat, string> = { glb: 'GLB', gltf: 'glTF', obj: 'OBJ' };

export function DownloadPanel({ asset }: { asset: Asset }) {
  const id = useId();
  const canCreate = useCan('editor');
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-zinc-700">All {asset.pipeline.length} steps are approved. The final asset is ready to download.</p>
      <form method="get" action={`/api/assets/${encodeURIComponent(asset.id)}/download`} className="flex flex-col gap-2 sm:flex-row sm:items-end lg:flex-col lg:items-stretch xl:flex-row xl:items-end">
        <div className="flex min-w-0 flex-1 flex-col gap-1.5">
          <label htmlFor={`${id}-format`} className="text-sm font-medium text-zinc-900">
            Format
          </label>
          <select id={`${id}-format`} name="format" defaultValue="glb" aria-describedby={`${id}-hint`} className={inputStyles}>
            {DOWNLOAD_FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABEL[f]}
              </option>
            ))}
          </select>
        </div>
        <p id={`${id}-hint`} className="sr-only">
          GLB is one binary file; glTF and OBJ come as a zip with their textures.
        </p>
        <button type="submit" className={buttonStyles.primary}>
          <DownloadIcon />
          Download
        </button>
      </form>
      {canCreate && (
        <Link to="/new" className={`${buttonStyles.secondary} self-start`}>
          <PlusIcon />
          Create new asset
        </Link>
      )}
    </div>
  );
}
