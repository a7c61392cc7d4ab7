// A labelled progress bar (0–100) that assistive technology reads as one.
export function ProgressBar({ value, label, className = '' }: { value: number; label: string; className?: string }) {
  const percent = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div className={`flex items-center gap-2 ${className}`}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="h-1.5 flex-1 overflow-hidden rounded-full bg-zinc-200"
      >
        <div className="h-full rounded-full bg-blue-600 transition-[width] duration-500 ease-out" style={{ width: `${percent}%` }} />
      </div>
      <span className="w-9 text-right text-xs font-medium text-zinc-700 tabular-nums" aria-hidden="true">
        {percent}%
      </span>
    </div>
  );
}
