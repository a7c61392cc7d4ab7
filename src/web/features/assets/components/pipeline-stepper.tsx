// The pipeline as an ordered list of steps: done, current (aria-current="step") and upcoming.
import type { Asset } from '../../../../contract/asset';
import { CheckIcon } from '../../../components/ui/icons';

type StepState = 'done' | 'current' | 'upcoming';

function stateOf(asset: Asset, i: number): StepState {
  if (i < asset.step_index) return 'done';
  if (i > asset.step_index) return 'upcoming';
  return 'current';
}

export function PipelineStepper({ asset }: { asset: Asset }) {
  const currentDone = asset.status.phase === 'completed';
  return (
    <ol aria-label="Pipeline" className="grid grid-cols-5 gap-1 sm:gap-2">
      {asset.pipeline.map((step, i) => {
        const state = stateOf(asset, i);
        const approved = state === 'current' && currentDone;
        const failed = state === 'current' && asset.status.phase === 'failed';
        const circle =
          state === 'done' || approved
            ? 'bg-emerald-600 text-white'
            : failed
              ? 'bg-red-600 text-white'
              : state === 'current'
                ? 'bg-indigo-600 text-white ring-4 ring-indigo-100'
                : 'bg-white text-zinc-500 ring-1 ring-zinc-300';
        // The connector into step i is green once the step before it is done (or approved), like that step's circle.
        const barDone = i <= asset.step_index || (i === asset.step_index + 1 && currentDone);
        return (
          <li key={step.key} aria-current={state === 'current' ? 'step' : undefined} className="relative flex flex-col items-center gap-1.5 text-center">
            {i > 0 && (
              <span
                aria-hidden="true"
                data-connector={barDone ? 'done' : 'upcoming'}
                className={`absolute top-3.5 right-1/2 -z-0 mr-4 h-0.5 w-[calc(100%-2rem)] sm:mr-5 ${barDone ? 'bg-emerald-500' : 'bg-zinc-200'}`}
              />
            )}
            <span aria-hidden="true" className={`relative flex size-7 items-center justify-center rounded-full text-xs font-semibold ${circle}`}>
              {state === 'done' || approved ? <CheckIcon className="size-4" /> : i + 1}
            </span>
            <span
              className={`text-[11px] leading-tight break-words hyphens-auto sm:text-xs ${state === 'current' ? 'font-semibold text-zinc-900' : state === 'done' ? 'text-zinc-700' : 'text-zinc-600'}`}
            >
              {step.label}
            </span>
            <span className="sr-only">
              {state === 'done' ? '(done)' : approved ? '(approved)' : state === 'current' ? '(current step)' : '(upcoming)'}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
