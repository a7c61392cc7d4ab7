// How the list is ordered.
import { useId } from 'react';
import { SortSchema, type Sort } from '../../../../contract/api';

const LABELS: Record<Sort, string> = { newest: 'Newest', name: 'Name', updated: 'Recently updated' };

export function SortSelect({ value, onChange }: { value: Sort; onChange: (sort: Sort) => void }) {
  const id = useId();
  return (
    <div className="flex shrink-0 items-center gap-2">
      <label htmlFor={id} className="text-sm text-zinc-600">
        Sort
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          const sort = SortSchema.safeParse(e.target.value);
          if (sort.success) onChange(sort.data);
        }}
        className="rounded-lg border border-zinc-300 bg-white py-2 pr-8 pl-3 text-sm text-zinc-900 shadow-sm focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-indigo-600"
      >
        {SortSchema.options.map((s) => (
          <option key={s} value={s}>
            {LABELS[s]}
          </option>
        ))}
      </select>
    </div>
  );
}
