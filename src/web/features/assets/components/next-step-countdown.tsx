// "Optimised Geometry starts in 7 s" on an approved asset, counted against the server's clock.
import type { Asset } from '../../../../contract/asset';
import { ClockIcon } from '../../../components/ui/icons';
import { useClock } from '../../../lib/clock';
import { secondsLeft } from '../../../lib/format';

export function NextStepCountdown({ asset }: { asset: Asset }) {
  const next = asset.pipeline[asset.step_index + 1];
  if (!next) return null;
  if (asset.next_step_at === null) {
    return (
      <p className="flex items-center gap-1.5 text-xs text-zinc-600">
        <ClockIcon className="size-3.5 shrink-0" />
        Waiting to start {next.label}
      </p>
    );
  }
  return <Ticking deadline={asset.next_step_at} nextLabel={next.label} />;
}

function Ticking({ deadline, nextLabel }: { deadline: number; nextLabel: string }) {
  const left = useClock((now) => secondsLeft(deadline, now));
  return (
    <p className="flex items-center gap-1.5 text-xs font-medium text-violet-800">
      <ClockIcon className="size-3.5 shrink-0" />
      {left > 0 ? (
        <span>
          {nextLabel} starts in <span className="tabular-nums">{left} s</span>
        </span>
      ) : (
        <span>Starting {nextLabel}…</span>
      )}
    </p>
  );
}
