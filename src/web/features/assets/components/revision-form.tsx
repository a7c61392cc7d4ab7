// "Request revisions": a note for the current step, 1–2000 characters; the note stays if sending fails.
import { useId, useRef, useState, type FormEvent } from 'react';
import { LIMITS } from '../../../../contract/api';
import { InlineError } from '../../../components/ui/inline-error';
import { buttonStyles, inputStyles } from '../../../components/ui/styles';
import { inlineMessage } from '../../../lib/api-errors';
import { useRequestRevision } from '../api/asset-actions';

export function RevisionForm({
  id: formId,
  assetId,
  stepLabel,
  onCancel,
  disabled,
}: {
  id: string;
  assetId: string;
  stepLabel: string;
  onCancel: () => void;
  disabled: boolean;
}) {
  const request = useRequestRevision(assetId);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const message = problem ?? inlineMessage(request.error);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (request.isPending) return;
    const trimmed = note.trim();
    const refusal = !trimmed ? 'Write what should change, so the step can take it into account.' : trimmed.length > LIMITS.noteMax ? `Keep the note to ${LIMITS.noteMax} characters.` : null;
    setProblem(refusal);
    if (refusal) {
      ref.current?.focus();
      return;
    }
    request.mutate(trimmed);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate className="flex flex-col gap-3 rounded-lg border border-zinc-200 bg-zinc-50 p-4">
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${id}-note`} className="text-sm font-medium text-zinc-900">
          Revision notes
        </label>
        <p id={`${id}-hint`} className="text-xs text-zinc-600">
          {stepLabel} runs again with your note in mind and makes a new version.
        </p>
        <textarea
          ref={ref}
          id={`${id}-note`}
          value={note}
          onChange={(e) => {
            setNote(e.target.value);
            setProblem(null);
          }}
          rows={4}
          autoFocus
          aria-invalid={message ? true : undefined}
          aria-describedby={`${id}-hint ${id}-count ${id}-error`}
          className={`${inputStyles} resize-y`}
          placeholder="e.g. Make the handle thicker and the base flat."
        />
        <div className="flex items-start justify-between gap-3">
          <InlineError id={`${id}-error`} message={message} />
          <p id={`${id}-count`} className={`ml-auto shrink-0 text-xs tabular-nums ${note.length > LIMITS.noteMax ? 'text-red-700' : 'text-zinc-600'}`}>
            {note.length} / {LIMITS.noteMax}
          </p>
        </div>
      </div>
      <div className="flex flex-wrap gap-2">
        <button type="submit" disabled={request.isPending || disabled} className={buttonStyles.primary}>
          {request.isPending ? 'Sending request…' : 'Send request'}
        </button>
        <button type="button" onClick={onCancel} disabled={request.isPending} className={buttonStyles.secondary}>
          Cancel
        </button>
      </div>
    </form>
  );
}
