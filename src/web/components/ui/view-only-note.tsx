// Said in place of controls the signed-in person's role does not allow, so nothing is simply missing without a word.
import type { ReactNode } from 'react';
import { EyeIcon } from './icons';

export function ViewOnlyNote({ children, className = '' }: { children: ReactNode; className?: string }) {
  return (
    <p className={`flex items-start gap-2 rounded-lg border border-zinc-200 bg-zinc-50 px-3 py-2.5 text-sm text-zinc-700 ${className}`}>
      <EyeIcon className="mt-0.5 size-4 shrink-0 text-zinc-500" />
      <span>{children}</span>
    </p>
  );
}
