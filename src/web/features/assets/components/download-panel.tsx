// Completed: download the final asset in a chosen format, or start a new asset (editors and up). The form still
// works as a plain GET without script; with it, the file comes through the API client, so a conversion that is
// refused or fails says why next to the button, and the button says while a conversion is being prepared.
import { useId, type FormEvent } from 'react';
import { DOWNLOAD_FORMATS, DownloadFormatSchema, type DownloadFormat } from '../../../../contract/api';
import type { Asset } from '../../../../contract/asset';
import { DownloadIcon, PlusIcon } from '../../../components/ui/icons';
import { InlineError } from '../../../components/ui/inline-error';
import { buttonStyles, inputStyles } from '../../../components/ui/styles';
import { useCan } from '../../../lib/authorization';
import { Link } from 'react-router';
import { downloadErrorMessage, useDownloadAsset } from '../api/download-asset';

const FORMAT_LABEL: Record<DownloadFormat, string> = { glb: 'GLB', gltf: 'glTF', obj: 'OBJ' };

export function DownloadPanel({ asset }: { asset: Asset }) {
  const id = useId();
  const canCreate = useCan('editor');
  const download = useDownloadAsset(asset.id);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (download.isPending) return;
    const format = DownloadFormatSchema.safeParse(new FormData(event.currentTarget).get('format'));
    download.mutate({ format: format.success ? format.data : 'glb' });
  };
  const error = downloadErrorMessage(download.error);
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-zinc-700">All {asset.pipeline.length} steps are approved. The final asset is ready to download.</p>
      <form
        method="get"
        action={`/api/assets/${encodeURIComponent(asset.id)}/download`}
        onSubmit={onSubmit}
        className="flex flex-col gap-2 sm:flex-row sm:items-end lg:flex-col lg:items-stretch xl:flex-row xl:items-end">
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
        <button
          type="submit"
          aria-disabled={download.isPending}
          aria-describedby={error ? `${id}-error` : undefined}
          className={buttonStyles.primary}
        >
          <DownloadIcon />
          {download.isPending ? 'Preparing download…' : 'Download'}
        </button>
      </form>
      <p role="status" className="text-sm text-zinc-600 empty:hidden">
        {download.isPending ? 'Preparing the file: a glTF or OBJ conversion of a large model can take up to a minute.' : ''}
      </p>
      <InlineError id={`${id}-error`} message={error} />
      {canCreate && (
        <Link to="/new" className={`${buttonStyles.secondary} self-start`}>
          <PlusIcon />
          Create new asset
        </Link>
      )}
    </div>
  );
}
