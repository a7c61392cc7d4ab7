// Counts renders of named components, for the render-count test and the page benchmark only: off (one null check
// per render) unless a test starts it or the page was opened with ?bench=1 (see bench-flags.ts).
let counts: Record<string, number> | null = null;

/** Starts counting from zero and returns the live tally, keyed by what each component passes to countRender. */
export function startCountingRenders(): Record<string, number> {
  counts = {};
  return counts;
}

export function stopCountingRenders(): void {
  counts = null;
}

export function countRender(key: string): void {
  if (counts) counts[key] = (counts[key] ?? 0) + 1;
}
