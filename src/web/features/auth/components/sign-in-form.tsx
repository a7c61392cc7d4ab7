// "Sign in": email and password. A refusal shows above the fields in an alert; the email stays, the password is
// cleared; too many tries say when to try again. Success goes on to `next` (a same-site path only) or the list.
import { useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { AlertIcon } from '../../../components/ui/icons';
import { buttonStyles } from '../../../components/ui/styles';
import { TextField } from '../../../components/ui/text-field';
import { ApiError, isUnreachable } from '../../../lib/api-client';
import { useSignIn } from '../api/session-actions';

function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, seconds)} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

export function rateLimitMessage(retryAfterSeconds: number | null, now = Date.now()): string {
  if (retryAfterSeconds === null) return 'Too many sign-in attempts. Wait a few minutes, then try again.';
  const at = new Date(now + retryAfterSeconds * 1000).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' });
  return `Too many sign-in attempts. Try again in ${waitText(retryAfterSeconds)} (at ${at}).`;
}

function refusalMessage(error: Error): string {
  if (isUnreachable(error)) return 'Could not reach Asset Forge. Check the connection and try again.';
  if (error instanceof ApiError && error.status === 429) return rateLimitMessage(error.retryAfterSeconds);
  if (error instanceof ApiError && error.status >= 500) return 'Asset Forge had a problem signing you in. Try again in a moment.';
  return error.message;
}

export function SignInForm({ next }: { next: string }) {
  const navigate = useNavigate();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (signIn.isPending) return;
    const problems = {
      ...(email.trim() ? {} : { email: 'Enter your email address.' }),
      ...(password ? {} : { password: 'Enter your password.' }),
    };
    setMissing(problems);
    setRefusal(null);
    if (problems.email || problems.password) {
      (problems.email ? emailRef : passwordRef).current?.focus();
      return;
    }
    signIn.mutate(
      { email, password },
      {
        onSuccess: () => void navigate(next, { replace: true }),
        onError: (error) => {
          setRefusal(refusalMessage(error));
          // Only the password is lost: it was wrong, or it must be typed again after the wait.
          setPassword('');
          passwordRef.current?.focus();
        },
      },
    );
  };

  const busy = signIn.isPending;
  return (
    <form noValidate onSubmit={onSubmit} aria-busy={busy} className="flex flex-col gap-5">
      <div role="alert" className="empty:hidden">
        {refusal && (
          <p className="flex items-start gap-2 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-800">
            <AlertIcon className="mt-0.5 size-4 shrink-0" />
            <span>{refusal}</span>
          </p>
        )}
      </div>
      <TextField
        label="Email"
        inputRef={emailRef}
        type="email"
        name="email"
        autoComplete="username"
        inputMode="email"
        autoCapitalize="none"
        spellCheck={false}
        value={email}
        error={missing.email}
        onChange={(e) => {
          setEmail(e.target.value);
          setMissing((m) => ({ ...m, email: undefined }));
        }}
      />
      <TextField
        label="Password"
        inputRef={passwordRef}
        type="password"
        name="password"
        autoComplete="current-password"
        value={password}
        error={missing.password}
        onChange={(e) => {
          setPassword(e.target.value);
          setMissing((m) => ({ ...m, password: undefined }));
        }}
      />
      <button type="submit" disabled={busy} className={`${buttonStyles.primary} w-full`}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
