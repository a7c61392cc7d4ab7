// The "Search assets" box: typing is debounced before it reaches the URL (and so the API); Enter applies at once.
import { useEffect, useState } from 'react';
import { LIMITS } from '../../../../contract/api';
import { SearchIcon } from '../../../components/ui/icons';
import { inputStyles } from '../../../components/ui/styles';

export const SEARCH_DEBOUNCE_MS = 300;

export function AssetSearch({ value, onChange }: { value: string; onChange: (q: string) => void }) {
  const [draft, setDraft] = useState(value);
  const [applied, setApplied] = useState(value);
  // The URL changed without typing (back button, "Show all"): show what the URL says.
  if (value !== applied) {
    setApplied(value);
    setDraft(value);
  }

  useEffect(() => {
    if (draft === value) return;
    const timer = setTimeout(() => onChange(draft), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, value, onChange]);

  return (
    <form
      role="search"
      className="relative w-full sm:max-w-xs"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(draft);
      }}
    >
      <SearchIcon className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-500" />
      <input
        type="search"
        aria-label="Search assets"
        placeholder="Search assets…"
        value={draft}
        maxLength={LIMITS.nameMax}
        onChange={(e) => setDraft(e.target.value)}
        className={`${inputStyles} pl-9`}
      />
    </form>
  );
}
