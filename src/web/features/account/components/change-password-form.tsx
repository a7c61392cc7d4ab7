// "Change password": the current one and a new one (the contract's password rules, checked here first; the server
// also refuses common passwords), and whether to revoke every API token too. A refusal goes next to the field it is
// about; success clears both fields and says so.
import { useId, useRef, useState, type FormEvent } from 'react';
import { AUTH_LIMITS, PasswordSchema, personalPasswordProblem, type User } from '../../../../contract/auth';
import { InlineError } from '../../../components/ui/inline-error';
import { useNotifier } from '../../../components/ui/notifications';
import { buttonStyles } from '../../../components/ui/styles';
import { TextField } from '../../../components/ui/text-field';
import { ApiError, isUnreachable } from '../../../lib/api-client';
import { useChangePassword } from '../api/account-actions';

type Field = 'current' | 'next' | 'form';

/** Which field a refusal is about: the new password's rules (400), the current password (401/403), or neither. */
function fieldOf(error: Error): Field {
  if (!(error instanceof ApiError) || error.status >= 500 || error.status === 0) return 'form';
  if (error.status === 400) return /current/i.test(error.message) ? 'current' : 'next';
  if (error.status === 401 || error.status === 403) return 'current';
  return 'form';
}

export function ChangePasswordForm({ user }: { user: User }) {
  const change = useChangePassword();
  const notifier = useNotifier();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  // On by default: a password is changed most often because someone else may know it, and a token they made
  // with it would otherwise keep working.
  const [revokeTokens, setRevokeTokens] = useState(true);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  /** What the last change did, shown beside the button until a field changes. */
  const [done, setDone] = useState<string | null>(null);
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);
  const headingId = useId();
  const revokeId = useId();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (change.isPending) return;
    setDone(null);
    const nextProblem = PasswordSchema.safeParse(next).error?.issues[0]?.message ?? personalPasswordProblem(next, user);
    const found: Partial<Record<Field, string>> = {
      ...(current ? {} : { current: 'Enter your current password.' }),
      ...(nextProblem ? { next: nextProblem } : {}),
    };
    setErrors(found);
    if (found.current || found.next) {
      (found.current ? currentRef : nextRef).current?.focus();
      return;
    }
    change.mutate(
      { current_password: current, new_password: next, revoke_tokens: revokeTokens },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          const said = revokeTokens ? 'Your password was changed and your API tokens were revoked.' : 'Your password was changed.';
          setDone(said);
          notifier.announce(said);
        },
        onError: (error) => {
          const field = fieldOf(error);
          const message = isUnreachable(error) ? 'Could not reach Asset Forge. Nothing was changed; try again.' : error.message;
          setErrors({ [field]: message });
          if (field === 'current') currentRef.current?.focus();
          if (field === 'next') nextRef.current?.focus();
        },
      },
    );
  };

  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-4 rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6">
      <h2 id={headingId} className="text-base font-semibold text-zinc-900">
        Change password
      </h2>
      <form noValidate onSubmit={onSubmit} aria-labelledby={headingId} className="flex max-w-md flex-col gap-4">
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          inputRef={currentRef}
          value={current}
          error={errors.current}
          onChange={(e) => {
            setCurrent(e.target.value);
            setErrors((x) => ({ ...x, current: undefined, form: undefined }));
          }}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${AUTH_LIMITS.passwordMin} characters, not your email or name, and not a common password. A few unrelated words make a strong one.`}
          inputRef={nextRef}
          value={next}
          error={errors.next}
          onChange={(e) => {
            setNext(e.target.value);
            setDone(null);
            setErrors((x) => ({ ...x, next: undefined, form: undefined }));
          }}
        />
        <div className="flex items-start gap-2">
          <input
            id={revokeId}
            type="checkbox"
            checked={revokeTokens}
            onChange={(e) => setRevokeTokens(e.target.checked)}
            aria-describedby={`${revokeId}-hint`}
            className="mt-0.5 size-4 shrink-0 rounded border-zinc-300 accent-zinc-900"
          />
          <div className="flex flex-col gap-0.5">
            <label htmlFor={revokeId} className="text-sm font-medium text-zinc-900">
              Also revoke all my API tokens
            </label>
            <p id={`${revokeId}-hint`} className="text-xs text-zinc-600">
              Scripts using them stop working until you give them new ones. Leave this on if someone else may have
              known your password.
            </p>
          </div>
        </div>
        <InlineError message={errors.form} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" disabled={change.isPending} className={buttonStyles.primary}>
            {change.isPending ? 'Changing password…' : 'Change password'}
          </button>
          {done && <p className="text-sm text-emerald-800">{done}</p>}
        </div>
      </form>
    </section>
  );
}
