// A refusal shown right next to the control it is about, read out as soon as it appears.
import { AlertIcon } from './icons';

export function InlineError({ id, message, className = '' }: { id?: string; message: string | null | undefined; className?: string }) {
  return (
    <p id={id} role="alert" className={`flex items-start gap-1.5 text-sm text-red-700 empty:hidden ${className}`}>
      {message && (
        <>
          <AlertIcon className="mt-0.5 size-4 shrink-0" />
          <span>{message}</span>
        </>
      )}
    </p>
  );
}
