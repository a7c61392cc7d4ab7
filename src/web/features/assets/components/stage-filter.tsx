// The stage filter: one toggle per stage, each followed by how many assets are in it.
import type { Phase } from '../../../../contract/asset';
import type { PhaseCounts } from '../../../../contract/api';

const FILTERS: { phase: Phase | null; label: string }[] = [
  { phase: null, label: 'All' },
  { phase: 'processing', label: 'Processing' },
  { phase: 'for_review', label: 'For Review' },
  // "Completed" is the completed phase: finished assets and those approved between steps.
  { phase: 'completed', label: 'Completed' },
  { phase: 'failed', label: 'Failed' },
];

export function StageFilter({
  value,
  counts,
  onChange,
}: {
  value: Phase | null;
  counts: PhaseCounts | undefined;
  onChange: (phase: Phase | null) => void;
}) {
  const total = counts ? counts.processing + counts.for_review + counts.completed + counts.failed : undefined;
  return (
    <div role="group" aria-label="Filter by stage" className="flex flex-wrap gap-1.5">
      {FILTERS.map(({ phase, label }) => {
        const selected = value === phase;
        const count = phase === null ? total : counts?.[phase];
        return (
          <button
            key={label}
            type="button"
            aria-pressed={selected}
            onClick={() => onChange(phase)}
            className={`inline-flex items-center gap-1.5 rounded-full border px-3 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 ${
              selected
                ? 'border-zinc-900 bg-zinc-900 text-white'
                : 'border-zinc-200 bg-white text-zinc-700 hover:border-zinc-300 hover:bg-zinc-50 hover:text-zinc-900'
            }`}
          >
            {label}
            {/* A real space, so the accessible name reads "Processing 3" rather than "Processing3". */}
            {count !== undefined && ' '}
            {count !== undefined && (
              <span
                className={`rounded-full px-1.5 text-xs tabular-nums ${selected ? 'bg-white/20 text-white' : 'bg-zinc-100 text-zinc-700'}`}
              >
                {count}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
