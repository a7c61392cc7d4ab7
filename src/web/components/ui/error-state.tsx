// What a region shows when its data could not be loaded at all, with a way to try again.
import { AlertIcon, RetryIcon } from './icons';
import { buttonStyles } from './styles';

export function ErrorState({ title, message, onRetry }: { title: string; message: string; onRetry?: () => void }) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-red-200 bg-white px-6 py-12 text-center">
      <span className="flex size-10 items-center justify-center rounded-full bg-red-50 text-red-700">
        <AlertIcon className="size-5" />
      </span>
      <h2 className="mt-4 text-base font-semibold text-zinc-900">{title}</h2>
      <p className="mt-1 max-w-md text-sm text-zinc-600">{message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry} className={`${buttonStyles.secondary} mt-6`}>
          <RetryIcon />
          Try again
        </button>
      )}
    </div>
  );
}
