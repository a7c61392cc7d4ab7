// A labelled input with an optional hint and the error about it right below, tied together for screen readers.
import { useId, type InputHTMLAttributes, type Ref } from 'react';
import { AlertIcon } from './icons';
import { inputStyles } from './styles';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'className'> {
  label: string;
  hint?: string;
  error?: string | null;
  inputRef?: Ref<HTMLInputElement>;
  className?: string;
}

export function TextField({ label, hint, error, inputRef, className = '', ...input }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`flex min-w-0 flex-col gap-1.5 ${className}`}>
      <label htmlFor={id} className="text-sm font-medium text-zinc-900">
        {label}
      </label>
      {hint && (
        <p id={hintId} className="-mt-0.5 text-xs text-zinc-600">
          {hint}
        </p>
      )}
      <input
        {...input}
        ref={inputRef}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={inputStyles}
      />
      {error && (
        <p id={errorId} className="flex items-start gap-1.5 text-sm text-red-700">
          <AlertIcon className="mt-0.5 size-4 shrink-0" />
          <span>{error}</span>
        </p>
      )}
    </div>
  );
}
