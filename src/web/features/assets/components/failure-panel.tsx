// Generation Failed: the reason in its own region, "Retry" (editors and up), and "Delete" behind a confirmation
// (admins only).
import { useId, useState } from 'react';
import type { Asset } from '../../../../contract/asset';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { RetryIcon, TrashIcon } from '../../../components/ui/icons';
import { InlineError } from '../../../components/ui/inline-error';
import { buttonStyles } from '../../../components/ui/styles';
import { ViewOnlyNote } from '../../../components/ui/view-only-note';
import { ApiError } from '../../../lib/api-client';
import { inlineMessage } from '../../../lib/api-errors';
import { useCan } from '../../../lib/authorization';
import { useDeleteAsset, useRetry } from '../api/asset-actions';

/** Shown in the confirmation dialog: the server's refusal as it is, anything else (5xx, offline) prefixed. */
function deleteMessage(error: Error | null): string | null {
  if (!error) return null;
  if (error instanceof ApiError && error.status !== 0 && error.status < 500) return error.message;
  return `Could not delete: ${error.message}`;
}

function FailureReason({ asset }: { asset: Asset }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="rounded-lg border border-red-200 bg-red-50 p-4">
      <h3 id={headingId} className="text-sm font-semibold text-red-900">
        Failure reason
      </h3>
      <p className="mt-1 text-sm break-words whitespace-pre-line text-red-800">{asset.status.error_message ?? 'No reason was given.'}</p>
    </section>
  );
}

export function FailurePanel({ asset }: { asset: Asset }) {
  const canRetry = useCan('editor');
  if (!canRetry) {
    return (
      <div className="flex flex-col gap-4">
        <FailureReason asset={asset} />
        <ViewOnlyNote>View only — ask an admin for the editor role to retry failed steps.</ViewOnlyNote>
      </div>
    );
  }
  return <FailureActions asset={asset} />;
}

function FailureActions({ asset }: { asset: Asset }) {
  const canDelete = useCan('admin');
  const retry = useRetry(asset.id);
  const remove = useDeleteAsset(asset.id);
  const [confirming, setConfirming] = useState(false);
  const busy = retry.isPending || remove.isPending;
  const step = asset.pipeline[asset.step_index]?.label ?? 'The step';
  const deleteError = deleteMessage(remove.error);

  return (
    <div className="flex flex-col gap-4">
      <FailureReason asset={asset} />
      <p className="text-sm text-zinc-700">
        {step} can run again with the same images{canDelete ? ', or you can delete the asset and start over.' : '.'}
      </p>
      <div className="flex flex-col gap-2">
        <div className="flex flex-col gap-2 sm:flex-row lg:flex-col xl:flex-row">
          <button type="button" onClick={() => retry.mutate()} disabled={busy} className={`${buttonStyles.primary} sm:flex-1`}>
            <RetryIcon />
            {retry.isPending ? 'Retrying…' : 'Retry'}
          </button>
          {canDelete && (
            <button
              type="button"
              onClick={() => {
                remove.reset();
                setConfirming(true);
              }}
              disabled={busy}
              className={`${buttonStyles.secondary} text-red-700 hover:bg-red-50 sm:flex-1`}
            >
              <TrashIcon />
              Delete
            </button>
          )}
        </div>
        <InlineError message={inlineMessage(retry.error)} />
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Delete “${asset.name}”?`}
          confirmLabel="Delete asset"
          pendingLabel="Deleting…"
          pending={remove.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate({ name: asset.name })}
          error={<InlineError message={deleteError} className="mt-3" />}
        >
          {asset.versions.length > 0
            ? `The asset, its images and its ${asset.versions.length === 1 ? 'version' : `${asset.versions.length} versions`} are removed for good. `
            : 'The asset and its images are removed for good. '}
          This cannot be undone.
        </ConfirmDialog>
      )}
    </div>
  );
}
