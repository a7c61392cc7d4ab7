// The one table `npm run bench` prints: each figure beside a baseline measured in the same run.

export interface BenchRow {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  /** null: reported, no target to pass or fail. */
  pass: boolean | null;
}

const HEADINGS: Record<keyof BenchRow, string> = {
  figure: 'figure',
  ours: 'ours',
  baseline: 'baseline',
  ratio: 'ratio',
  target: 'target',
  pass: 'pass/fail',
};

function cell(row: BenchRow, key: keyof BenchRow): string {
  if (key !== 'pass') return row[key];
  return row.pass === null ? '—' : row.pass ? 'pass' : 'FAIL';
}

/** A Markdown table, so the output can be pasted into the README as it is. */
export function formatTable(rows: readonly BenchRow[]): string {
  const keys = Object.keys(HEADINGS) as (keyof BenchRow)[];
  const widths = keys.map((k) => Math.max(HEADINGS[k].length, ...rows.map((r) => cell(r, k).length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(keys.map((k) => HEADINGS[k])),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(keys.map((k) => cell(r, k)))),
  ].join('\n');
}

export function printTable(rows: readonly BenchRow[]): void {
  console.log(formatTable(rows));
}

/** Formatting shared by the rows. */
export const fmt = {
  ms: (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`,
  rps: (v: number) => `${Math.round(v).toLocaleString('en-US')} req/s`,
  bytes(v: number): string {
    if (v >= 1e6) return `${(v / 1e6).toFixed(1)} MB`;
    if (v >= 1e3) return `${(v / 1e3).toFixed(1)} kB`;
    return `${Math.round(v)} B`;
  },
  ratio: (v: number) => (v >= 100 ? `${Math.round(v)}×` : `${v.toFixed(v >= 10 ? 1 : 2)}×`),
  percent: (v: number) => `${(v * 100).toFixed(v < 0.01 ? 2 : 1)} %`,
};
