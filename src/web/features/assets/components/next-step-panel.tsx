// Approved: "Process ‹next step› (7)" counts down to the server's deadline; clicking it starts the step now, "Back"
// cancels the countdown. The number comes from next_step_at and the shared clock; the server starts the step.
// A viewer sees the countdown as text, without the buttons.
import { useEffect, useRef } from 'react';
import type { Asset } from '../../../../contract/asset';
import { BackIcon, PlayIcon } from '../../../components/ui/icons';
import { InlineError } from '../../../components/ui/inline-error';
import { useNotifier } from '../../../components/ui/notifications';
import { buttonStyles } from '../../../components/ui/styles';
import { ViewOnlyNote } from '../../../components/ui/view-only-note';
import { inlineMessage } from '../../../lib/api-errors';
import { useCan } from '../../../lib/authorization';
import { useClock } from '../../../lib/clock';
import { secondsLeft } from '../../../lib/format';
import { useCancelCountdown, useStartNextStep } from '../api/asset-actions';
import { NextStepCountdown } from './next-step-countdown';

/** "Process Optimised Geometry (7)": one text node, so every screen reader reads the same name. */
function CountdownLabel({ text, deadline }: { text: string; deadline: number }) {
  const left = useClock((now) => secondsLeft(deadline, now));
  return <span className="tabular-nums">{left > 0 ? `${text} (${left})` : text}</span>;
}

export function NextStepPanel({ asset }: { asset: Asset }) {
  const canStart = useCan('editor');
  if (!canStart) {
    const step = asset.pipeline[asset.step_index]?.label ?? 'This step';
    return (
      <div className="flex flex-col gap-4">
        <p className="text-sm text-zinc-700">{step} is approved.</p>
        <NextStepCountdown asset={asset} />
        <ViewOnlyNote>View only — ask an admin for the editor role to start or hold the next step.</ViewOnlyNote>
      </div>
    );
  }
  return <NextStepActions asset={asset} />;
}

function NextStepActions({ asset }: { asset: Asset }) {
  const start = useStartNextStep(asset.id);
  const back = useCancelCountdown(asset.id);
  const step = asset.pipeline[asset.step_index]?.label ?? 'This step';
  const next = asset.pipeline[asset.step_index + 1]?.label ?? 'next step';
  const counting = asset.next_step_at !== null;
  const busy = start.isPending || back.isPending;
  const notifier = useNotifier();
  const processRef = useRef<HTMLButtonElement>(null);
  const cancelledAt = back.isSuccess ? back.submittedAt : 0;
  useEffect(() => {
    if (!cancelledAt) return;
    // Back is disabled once nothing counts down, which would drop the keyboard focus to the page; Process is next.
    processRef.current?.focus();
    notifier.announce('Countdown cancelled');
  }, [cancelledAt, notifier]);
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-zinc-700">
        {step} is approved.{' '}
        {counting ? (
          <>{next} starts by itself when the countdown ends, or now if you process it. Back stops the countdown; {next} waits until you start it.</>
        ) : (
          <>The countdown was cancelled: {next} waits until you start it.</>
        )}
      </p>
      <div className="flex flex-col gap-2">
        <div className="flex flex-col gap-2 sm:flex-row lg:flex-col xl:flex-row">
          <button ref={processRef} type="button" onClick={() => start.mutate()} disabled={busy} className={`${buttonStyles.primary} sm:flex-1`}>
            <PlayIcon className="size-4" />
            {start.isPending || asset.next_step_at === null ? (
              <span>{`Process ${next}${start.isPending ? '…' : ''}`}</span>
            ) : (
              <CountdownLabel text={`Process ${next}`} deadline={asset.next_step_at} />
            )}
          </button>
          <button type="button" onClick={() => back.mutate()} disabled={busy || !counting} className={buttonStyles.secondary}>
            <BackIcon />
            Back
          </button>
        </div>
        <InlineError message={inlineMessage(start.error) ?? inlineMessage(back.error)} />
      </div>
    </div>
  );
}
