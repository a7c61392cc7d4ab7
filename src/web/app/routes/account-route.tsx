// "/account": who you are and what your role allows, your password, and your API tokens. Loaded lazily.
import { PageHeading } from '../../components/ui/page-heading';
import { ApiTokens } from '../../features/account/components/api-tokens';
import { ChangePasswordForm } from '../../features/account/components/change-password-form';
import { ROLE_LABEL, roleAllows } from '../../lib/authorization';
import { useSession } from '../../lib/session';

export function AccountRoute() {
  const session = useSession().data;
  // The route guard renders this only with a session.
  if (!session) return null;
  const { user } = session;
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <title>Account · Asset Forge</title>
      <PageHeading>Account</PageHeading>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 rounded-xl border border-zinc-200 bg-white p-5 text-sm shadow-xs sm:grid-cols-3 sm:p-6">
        <div className="min-w-0">
          <dt className="text-xs text-zinc-600">Name</dt>
          <dd className="mt-0.5 font-medium break-words text-zinc-900">{user.name}</dd>
        </div>
        <div className="min-w-0">
          <dt className="text-xs text-zinc-600">Email</dt>
          <dd className="mt-0.5 font-medium break-words text-zinc-900">{user.email}</dd>
        </div>
        <div className="min-w-0">
          <dt className="text-xs text-zinc-600">Role</dt>
          <dd className="mt-0.5 font-medium text-zinc-900">{ROLE_LABEL[user.role]}</dd>
          <dd className="mt-0.5 text-xs text-zinc-600">{roleAllows(user.role)}</dd>
        </div>
      </dl>
      {session.auth === 'off' ? (
        <p className="text-sm text-zinc-600">
          Asset Forge runs in single-user mode here: there is no password to change, and the API needs no token.
        </p>
      ) : (
        <>
          <ChangePasswordForm user={user} />
          <ApiTokens />
        </>
      )}
    </div>
  );
}
