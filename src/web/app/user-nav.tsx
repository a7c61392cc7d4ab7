// The header's right side: who is signed in and as what, "Users" for admins, "Account", and "Sign out". In
// single-user mode there is no one to sign out, only a discreet note. Fits a 375 px wide phone: the name is cut
// short there (its full text is in the title) and the product name gives way first (see AppShell).
import { NavLink } from 'react-router';
import { useNotifier } from '../components/ui/notifications';
import { focusRing } from '../components/ui/styles';
import { useSignOut } from '../features/auth/api/session-actions';
import { ROLE_LABEL } from '../lib/authorization';
import { useSession } from '../lib/session';

const link = `rounded-md px-2 py-1.5 text-sm font-medium text-zinc-700 hover:bg-zinc-100 hover:text-zinc-900 aria-[current=page]:bg-zinc-100 aria-[current=page]:text-zinc-950 ${focusRing}`;

export function UserNav() {
  const session = useSession().data;
  const signOut = useSignOut();
  const notifier = useNotifier();
  if (!session) return null;
  if (session.auth === 'off') {
    return <p className="text-xs text-zinc-600">Single-user mode</p>;
  }
  const { user } = session;
  return (
    <nav aria-label="Signed in" className="flex min-w-0 items-center gap-1 sm:gap-2">
      {user.role === 'admin' && (
        <NavLink to="/users" className={link}>
          Users
        </NavLink>
      )}
      <NavLink to="/account" className={link}>
        Account
      </NavLink>
      <p className="ml-1 flex min-w-0 flex-col border-l border-zinc-200 pl-2 text-right leading-tight sm:ml-2 sm:pl-4" title={`${user.name} (${user.email})`}>
        <span className="sr-only">Signed in as </span>
        <span className="max-w-[6.5rem] truncate text-sm font-medium text-zinc-900 sm:max-w-[12rem]">{user.name}</span>
        <span className="sr-only">, </span>
        <span className="text-xs text-zinc-600">{ROLE_LABEL[user.role]}</span>
      </p>
      <button
        type="button"
        disabled={signOut.isPending}
        onClick={() =>
          signOut.mutate(undefined, {
            onError: (error) => notifier.toast({ tone: 'danger', title: 'Could not sign out', body: `${error.message} You are still signed in.` }),
          })
        }
        className={`${link} shrink-0 whitespace-nowrap disabled:opacity-60`}
      >
        {signOut.isPending ? 'Signing out…' : 'Sign out'}
      </button>
    </nav>
  );
}
