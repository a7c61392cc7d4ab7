// For Review: approve the step, ask for a revision with a note, or upload a corrected model (editors and up;
// a viewer is told why there is nothing to press).
import { useId, useState } from 'react';
import type { Asset } from '../../../../contract/asset';
import { CheckIcon, NoteIcon, UploadIcon } from '../../../components/ui/icons';
import { InlineError } from '../../../components/ui/inline-error';
import { useNotifier } from '../../../components/ui/notifications';
import { buttonStyles } from '../../../components/ui/styles';
import { ViewOnlyNote } from '../../../components/ui/view-only-note';
import { inlineMessage } from '../../../lib/api-errors';
import { useCan } from '../../../lib/authorization';
import { useApprove } from '../api/asset-actions';
import { RevisionForm } from './revision-form';
import { UploadVersionForm } from './upload-version-form';

type Open = 'revision' | 'upload' | null;

/** `focusPanel` takes the keyboard focus back to the panel when a form closes by itself. */
export function ReviewPanel({ asset, focusPanel }: { asset: Asset; focusPanel: () => void }) {
  const canReview = useCan('editor');
  if (!canReview) {
    const step = asset.pipeline[asset.step_index]?.label ?? 'This step';
    return (
      <div className="flex flex-col gap-4">
        <p className="text-sm text-zinc-700">{step} is ready for review. The preview shows the latest version.</p>
        <ViewOnlyNote>View only — ask an admin for the editor role to review assets.</ViewOnlyNote>
      </div>
    );
  }
  return <ReviewActions asset={asset} focusPanel={focusPanel} />;
}

function ReviewActions({ asset, focusPanel }: { asset: Asset; focusPanel: () => void }) {
  const approve = useApprove(asset.id);
  const notifier = useNotifier();
  const [open, setOpen] = useState<Open>(null);
  const revisionId = useId();
  const uploadId = useId();
  const onUploaded = (updated: Asset) => {
    const n = updated.versions.reduce((max, v) => Math.max(max, v.n), 0);
    setOpen(null);
    notifier.announce(`Version ${n} uploaded`);
    // The form and its focused button are going away; the panel heading is where the next decision starts.
    focusPanel();
  };
  const step = asset.pipeline[asset.step_index]?.label ?? 'This step';
  const next = asset.pipeline[asset.step_index + 1]?.label;
  const toggle = (which: Exclude<Open, null>) => setOpen((o) => (o === which ? null : which));

  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-zinc-700">
        {step} is ready. Look at the preview, then approve it{next ? ` to move on to ${next}` : ' to finish the asset'}, ask for a revision, or upload
        your own version.
      </p>
      <div className="flex flex-col gap-2">
        <div className="grid grid-cols-1 gap-2 min-[420px]:grid-cols-2">
          <button type="button" onClick={() => approve.mutate()} disabled={approve.isPending} className={`${buttonStyles.primary} min-[420px]:col-span-2`}>
            <CheckIcon />
            {approve.isPending ? 'Approving…' : 'Approve'}
          </button>
          <button
            type="button"
            aria-expanded={open === 'revision'}
            aria-controls={revisionId}
            onClick={() => toggle('revision')}
            disabled={approve.isPending}
            className={buttonStyles.secondary}
          >
            <NoteIcon />
            Request revisions
          </button>
          <button
            type="button"
            aria-expanded={open === 'upload'}
            aria-controls={uploadId}
            onClick={() => toggle('upload')}
            disabled={approve.isPending}
            className={buttonStyles.secondary}
          >
            <UploadIcon />
            Upload new version
          </button>
        </div>
        <InlineError message={inlineMessage(approve.error)} />
      </div>
      {open === 'revision' && <RevisionForm id={revisionId} assetId={asset.id} stepLabel={step} onCancel={() => setOpen(null)} disabled={approve.isPending} />}
      {open === 'upload' && <UploadVersionForm id={uploadId} assetId={asset.id} onCancel={() => setOpen(null)} onUploaded={onUploaded} disabled={approve.isPending} />}
    </div>
  );
}
