// The stage of an asset as a badge: its exact label, a colour and an icon each, so colour is never the only cue.
import { memo } from 'react';
import type { StageLabel } from '../../../../contract/asset';
import { CheckCircleIcon, DoubleCheckIcon, EyeIcon, FailedIcon, SpinnerIcon } from '../../../components/ui/icons';

const STAGES: Record<StageLabel, { className: string; Icon: typeof EyeIcon; iconClass?: string }> = {
  Processing: { className: 'bg-blue-50 text-blue-800 ring-blue-700/20', Icon: SpinnerIcon, iconClass: 'motion-safe:animate-spin' },
  'For Review': { className: 'bg-amber-50 text-amber-900 ring-amber-700/30', Icon: EyeIcon },
  Approved: { className: 'bg-violet-50 text-violet-800 ring-violet-700/20', Icon: CheckCircleIcon },
  Completed: { className: 'bg-emerald-50 text-emerald-800 ring-emerald-700/25', Icon: DoubleCheckIcon },
  'Generation Failed': { className: 'bg-red-50 text-red-800 ring-red-700/20', Icon: FailedIcon },
};

export const StageBadge = memo(function StageBadge({ label }: { label: StageLabel }) {
  const { className, Icon, iconClass = '' } = STAGES[label];
  return (
    <span
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${className}`}
    >
      <Icon className={`size-3.5 ${iconClass}`} />
      {label}
    </span>
  );
});
