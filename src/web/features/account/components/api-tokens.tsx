// "API tokens": the signed-in person's tokens for scripts (name, hint, created, last used), creating one (its secret
// shown once), and revoking one behind a confirmation.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { CreateTokenSchema, type ApiToken } from '../../../../contract/auth';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorState } from '../../../components/ui/error-state';
import { InlineError } from '../../../components/ui/inline-error';
import { useNotifier } from '../../../components/ui/notifications';
import { RelativeTime } from '../../../components/ui/relative-time';
import { buttonStyles } from '../../../components/ui/styles';
import { TextField } from '../../../components/ui/text-field';
import { ApiError, isUnreachable } from '../../../lib/api-client';
import { useCreateToken, useRevokeToken, useTokens } from '../api/account-actions';
import { NewTokenSecret } from './new-token-secret';

function problemText(error: Error): string {
  if (isUnreachable(error)) return 'Could not reach Asset Forge. Nothing was changed; try again.';
  if (error instanceof ApiError && error.status >= 500) return `Asset Forge had a problem: ${error.message}`;
  return error.message;
}

export function ApiTokens() {
  const tokens = useTokens();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [revokedCount, setRevokedCount] = useState(0);
  const headingId = useId();
  useEffect(() => {
    // Its row, and the button that opened the dialog, are gone: start again from the section. After the dialog's
    // own clean-up, which would put the focus back on that button while it is still there.
    if (revokedCount > 0) headingRef.current?.focus();
  }, [revokedCount]);

  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-4 rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6">
      <div>
        <h2 id={headingId} ref={headingRef} tabIndex={-1} className="text-base font-semibold text-zinc-900 outline-none">
          API tokens
        </h2>
        <p className="mt-1 text-sm text-zinc-600">For scripts and other tools that use the Asset Forge API as you.</p>
      </div>

      <CreateToken />

      {tokens.isPending ? (
        <p role="status" className="text-sm text-zinc-600">
          Loading tokens…
        </p>
      ) : tokens.isError ? (
        <ErrorState title="Couldn't load your tokens" message={problemText(tokens.error)} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <p className="text-sm text-zinc-600">You have no API tokens.</p>
      ) : (
        <TokenTable tokens={tokens.data} onRevoke={setRevoking} />
      )}

      {revoking && (
        <RevokeDialog
          token={revoking}
          onClose={(revoked) => {
            setRevoking(null);
            if (revoked) setRevokedCount((n) => n + 1);
          }}
        />
      )}
    </section>
  );
}

function TokenTable({ tokens, onRevoke }: { tokens: ApiToken[]; onRevoke: (token: ApiToken) => void }) {
  return (
    <div className="relative -mx-5 overflow-x-auto sm:mx-0">
      <table className="w-full min-w-[34rem] text-left text-sm">
        <caption className="sr-only">Your API tokens</caption>
        <thead className="border-b border-zinc-200 text-xs text-zinc-600">
          <tr>
            <th scope="col" className="px-5 py-2 font-medium sm:pl-0">
              Name
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Starts with
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Created
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Last used
            </th>
            <th scope="col" className="px-5 py-2 font-medium sm:pr-0">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {tokens.map((token) => (
            <tr key={token.id}>
              <th scope="row" className="max-w-[14rem] px-5 py-2.5 font-medium break-words text-zinc-900 sm:pl-0">
                {token.name}
              </th>
              <td className="px-3 py-2.5 font-mono text-xs text-zinc-700">{token.hint}…</td>
              <td className="px-3 py-2.5 whitespace-nowrap text-zinc-700">
                <RelativeTime at={token.created_at} />
              </td>
              <td className="px-3 py-2.5 whitespace-nowrap text-zinc-700">{token.last_used_at === null ? 'Never' : <RelativeTime at={token.last_used_at} />}</td>
              <td className="px-5 py-2.5 text-right sm:pr-0">
                <button
                  type="button"
                  aria-label={`Revoke ${token.name}`}
                  onClick={() => onRevoke(token)}
                  className={`${buttonStyles.secondary} px-2.5 py-1.5 text-xs text-red-700 hover:bg-red-50`}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type TokenField = 'name' | 'password';

/** Which field a refusal is about: the password (wrong, or too many tries) or the name. */
function tokenFieldOf(error: Error): TokenField {
  if (error instanceof ApiError && (error.status === 429 || /password/i.test(error.message))) return 'password';
  return 'name';
}

function CreateToken() {
  const create = useCreateToken();
  const notifier = useNotifier();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<Partial<Record<TokenField, string>>>({});
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const created = create.data;
  const focus = (field: TokenField) => (field === 'name' ? nameRef : passwordRef).current?.focus();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    const parsed = CreateTokenSchema.safeParse({ name, password });
    if (!parsed.success) {
      const found: Partial<Record<TokenField, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === 'password' ? 'password' : 'name';
        found[field] ??= issue.message;
      }
      setProblems(found);
      focus(found.name ? 'name' : 'password');
      return;
    }
    setProblems({});
    create.mutate(parsed.data, {
      onSuccess: (answer) => {
        setName('');
        setPassword('');
        notifier.announce(`Token ${answer.token.name} created. Copy its secret now.`);
      },
      onError: (error) => {
        const field = tokenFieldOf(error);
        // A wrong password is typed again from scratch, as on the sign-in page.
        if (field === 'password') setPassword('');
        setProblems({ [field]: problemText(error) });
        focus(field);
      },
    });
  };

  if (created) {
    // Forgetting the answer (reset) is what makes the secret unrecoverable from this page.
    return <NewTokenSecret name={created.token.name} secret={created.secret} onDone={() => create.reset()} />;
  }

  return (
    <form noValidate onSubmit={onSubmit} className="flex flex-col gap-3">
      <TextField
        className="sm:max-w-sm"
        label="Token name"
        hint="What it is for, e.g. “Nightly export”."
        inputRef={nameRef}
        value={name}
        autoComplete="off"
        error={problems.name}
        onChange={(e) => {
          setName(e.target.value);
          setProblems((p) => ({ ...p, name: undefined }));
        }}
      />
      <TextField
        className="sm:max-w-sm"
        label="Current password"
        hint="A token keeps working after you sign out, so creating one needs your password."
        type="password"
        autoComplete="current-password"
        inputRef={passwordRef}
        value={password}
        error={problems.password}
        onChange={(e) => {
          setPassword(e.target.value);
          setProblems((p) => ({ ...p, password: undefined }));
        }}
      />
      <button type="submit" disabled={create.isPending} className={`${buttonStyles.primary} self-start`}>
        {create.isPending ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}

function RevokeDialog({ token, onClose }: { token: ApiToken; onClose: (revoked: boolean) => void }) {
  const revoke = useRevokeToken();
  const notifier = useNotifier();
  return (
    <ConfirmDialog
      title={`Revoke “${token.name}”?`}
      confirmLabel="Revoke token"
      pendingLabel="Revoking…"
      pending={revoke.isPending}
      onCancel={() => onClose(false)}
      onConfirm={() =>
        revoke.mutate(token.id, {
          onSuccess: () => {
            notifier.announce(`Token ${token.name} revoked.`);
            onClose(true);
          },
        })
      }
      error={<InlineError message={revoke.error ? problemText(revoke.error) : null} className="mt-3" />}
    >
      Anything using this token is refused from now on. This cannot be undone.
    </ConfirmDialog>
  );
}
