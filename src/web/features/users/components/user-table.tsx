// Everyone who can sign in: name, email, role (changed in place), when they were added, and per person "Reset
// password" and "Delete" (behind a confirmation). The server's refusals (the last admin, yourself) show in the row.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { AUTH_LIMITS, PasswordSchema, personalPasswordProblem, type User } from '../../../../contract/auth';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { InlineError } from '../../../components/ui/inline-error';
import { useNotifier } from '../../../components/ui/notifications';
import { RelativeTime } from '../../../components/ui/relative-time';
import { buttonStyles } from '../../../components/ui/styles';
import { TextField } from '../../../components/ui/text-field';
import { ApiError, isUnreachable } from '../../../lib/api-client';
import { ROLE_LABEL } from '../../../lib/authorization';
import { useDeleteUser, useUpdateUser } from '../api/user-actions';
import { RoleSelect } from './role-select';

function problemText(error: Error | null): string | null {
  if (!error) return null;
  if (isUnreachable(error)) return 'Could not reach Asset Forge. Nothing was changed; try again.';
  if (error instanceof ApiError && error.status >= 500) return `Asset Forge had a problem: ${error.message}`;
  return error.message;
}

const small = 'px-2.5 py-1.5 text-xs';

export function UserTable({ users, currentUserId, focusAfterDelete }: { users: User[]; currentUserId: string; focusAfterDelete: () => void }) {
  const [deleting, setDeleting] = useState<User | null>(null);
  const [deletedCount, setDeletedCount] = useState(0);
  useEffect(() => {
    // After the dialog's clean-up, which would return the focus to the removed row's button.
    if (deletedCount > 0) focusAfterDelete();
  }, [deletedCount, focusAfterDelete]);

  return (
    <>
      <div className="relative -mx-5 overflow-x-auto sm:-mx-6">
        <table className="w-full min-w-[44rem] text-left text-sm">
          <caption className="sr-only">Users</caption>
          <thead className="border-b border-zinc-200 text-xs text-zinc-600">
            <tr>
              <th scope="col" className="py-2 pr-3 pl-5 font-medium sm:pl-6">
                Name
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Email
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Role
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Created
              </th>
              <th scope="col" className="py-2 pr-5 pl-3 font-medium sm:pr-6">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {users.map((user) => (
              <UserRow key={user.id} user={user} isYou={user.id === currentUserId} onDelete={() => setDeleting(user)} />
            ))}
          </tbody>
        </table>
      </div>
      {deleting && (
        <DeleteDialog
          user={deleting}
          onClose={(deleted) => {
            setDeleting(null);
            if (deleted) setDeletedCount((n) => n + 1);
          }}
        />
      )}
    </>
  );
}

function UserRow({ user, isYou, onDelete }: { user: User; isYou: boolean; onDelete: () => void }) {
  const changeRole = useUpdateUser(user.id);
  const notifier = useNotifier();
  const [resetting, setResetting] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const resetButtonRef = useRef<HTMLButtonElement>(null);
  const roleErrorId = useId();
  const resetFormId = useId();
  // While a change is on its way, the select shows what was chosen; if it is refused, the role the server has.
  const role = changeRole.isPending ? (changeRole.variables.role ?? user.role) : user.role;
  const roleError = problemText(changeRole.error);

  return (
    <>
      <tr className="align-top">
        <th scope="row" className="max-w-[12rem] py-3 pr-3 pl-5 font-medium break-words text-zinc-900 sm:pl-6">
          {user.name}
          {isYou && <span className="ml-1.5 text-xs font-normal text-zinc-600">(you)</span>}
        </th>
        <td className="max-w-[14rem] px-3 py-3 break-words text-zinc-700">{user.email}</td>
        <td className="px-3 py-2">
          <RoleSelect
            aria-label={`Role for ${user.name}`}
            aria-describedby={roleErrorId}
            aria-invalid={roleError ? true : undefined}
            value={role}
            disabled={changeRole.isPending}
            onChange={(next) => {
              setSaid(null);
              changeRole.mutate(
                { role: next },
                {
                  onSuccess: (updated) => {
                    const text = `${updated.name} is now ${ROLE_LABEL[updated.role].toLowerCase()}.`;
                    setSaid(text);
                    notifier.announce(text);
                  },
                },
              );
            }}
            className="w-32 py-1.5"
          />
          <InlineError id={roleErrorId} message={roleError} className="mt-1.5 max-w-[14rem]" />
        </td>
        <td className="px-3 py-3 whitespace-nowrap text-zinc-700">
          <RelativeTime at={user.created_at} />
        </td>
        <td className="py-2 pr-5 pl-3 sm:pr-6">
          <div className="flex justify-end gap-2">
            <button
              ref={resetButtonRef}
              type="button"
              aria-label={`Reset password for ${user.name}`}
              aria-expanded={resetting}
              aria-controls={resetting ? resetFormId : undefined}
              onClick={() => {
                setSaid(null);
                setResetting((r) => !r);
              }}
              className={`${buttonStyles.secondary} ${small} whitespace-nowrap`}
            >
              Reset password
            </button>
            <button
              type="button"
              aria-label={`Delete ${user.name}`}
              onClick={onDelete}
              className={`${buttonStyles.secondary} ${small} text-red-700 hover:bg-red-50`}
            >
              Delete
            </button>
          </div>
        </td>
      </tr>
      {(resetting || said) && (
        <tr>
          <td colSpan={5} className="bg-zinc-50 px-5 py-3 sm:px-6">
            {resetting ? (
              <ResetPasswordForm
                id={resetFormId}
                user={user}
                onClose={(text) => {
                  setResetting(false);
                  setSaid(text);
                  resetButtonRef.current?.focus();
                }}
              />
            ) : (
              <p className="text-sm text-emerald-800">{said}</p>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function ResetPasswordForm({ id, user, onClose }: { id: string; user: User; onClose: (said: string | null) => void }) {
  const reset = useUpdateUser(user.id);
  const notifier = useNotifier();
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (reset.isPending) return;
    const refusal = PasswordSchema.safeParse(password).error?.issues[0]?.message ?? personalPasswordProblem(password, user);
    setProblem(refusal);
    if (refusal) {
      inputRef.current?.focus();
      return;
    }
    reset.mutate(
      { password },
      {
        onSuccess: () => {
          const text = `Password reset for ${user.name}: they were signed out everywhere and their API tokens were revoked. Give them the new password privately.`;
          notifier.announce(text);
          onClose(text);
        },
        onError: (error) => {
          setProblem(problemText(error));
          inputRef.current?.focus();
        },
      },
    );
  };

  return (
    <form id={id} noValidate onSubmit={onSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-end">
      <TextField
        className="sm:w-80"
        label={`New password for ${user.name}`}
        hint={`At least ${AUTH_LIMITS.passwordMin} characters, not their email or name, and not a common password.`}
        type="password"
        autoComplete="new-password"
        autoFocus
        inputRef={inputRef}
        value={password}
        error={problem}
        onChange={(e) => {
          setPassword(e.target.value);
          setProblem(null);
        }}
      />
      <div className="flex gap-2">
        <button type="submit" disabled={reset.isPending} className={buttonStyles.primary}>
          {reset.isPending ? 'Saving…' : 'Set password'}
        </button>
        <button type="button" disabled={reset.isPending} onClick={() => onClose(null)} className={buttonStyles.secondary}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DeleteDialog({ user, onClose }: { user: User; onClose: (deleted: boolean) => void }) {
  const remove = useDeleteUser();
  const notifier = useNotifier();
  return (
    <ConfirmDialog
      title={`Delete “${user.name}”?`}
      confirmLabel="Delete user"
      pendingLabel="Deleting…"
      pending={remove.isPending}
      onCancel={() => onClose(false)}
      onConfirm={() =>
        remove.mutate(user.id, {
          onSuccess: () => {
            notifier.announce(`${user.name} was deleted.`);
            onClose(true);
          },
        })
      }
      error={<InlineError message={problemText(remove.error)} className="mt-3" />}
    >
      {user.email} can no longer sign in, and their API tokens stop working. This cannot be undone.
    </ConfirmDialog>
  );
}
