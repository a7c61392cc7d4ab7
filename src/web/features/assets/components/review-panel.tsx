// For Review: approve the step, ask for a revision with a note, or upload a corrected model.
import { useState } from 'react';
import type { Asset } from '../../../../contract/asset';
import { CheckIcon, NoteIcon, UploadIcon } from '../../../components/ui/icons';
import { InlineError } from '../../../components/ui/inline-error';
import { buttonStyles } from '../../../components/ui/styles';
import { useApprove } from '../api/asset-actions';
import { inlineMessage } from './action-banner';
import { RevisionForm } from './revision-form';
import { UploadVersionForm } from './upload-version-form';

type Open = 'revision' | 'upload' | null;

export function ReviewPanel({ asset }: { asset: Asset }) {
  const approve = useApprove(asset.id);
  const [open, setOpen] = useState<Open>(null);
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
      {open === 'revision' && <RevisionForm assetId={asset.id} stepLabel={step} onCancel={() => setOpen(null)} disabled={approve.isPending} />}
      {open === 'upload' && <UploadVersionForm assetId={asset.id} onCancel={() => setOpen(null)} disabled={approve.isPending} />}
    </div>
  );
}
