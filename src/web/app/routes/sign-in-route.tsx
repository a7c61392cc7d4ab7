// "/sign-in": public, loaded lazily. Someone already signed in may still sign in as someone else; in single-user
// mode there is nothing to sign in to.
import { Link, useSearchParams } from 'react-router';
import { PageHeading } from '../../components/ui/page-heading';
import { buttonStyles } from '../../components/ui/styles';
import { SignInForm } from '../../features/auth/components/sign-in-form';
import { safeNextPath } from '../../lib/next-path';
import { useSession } from '../../lib/session';

export function SignInRoute() {
  const [search] = useSearchParams();
  const next = safeNextPath(search.get('next'));
  const session = useSession().data;

  return (
    <div className="mx-auto flex w-full max-w-sm flex-col gap-6 pt-4 sm:pt-12">
      <title>Sign in · Asset Forge</title>
      <div>
        <PageHeading>Sign in</PageHeading>
        <p className="mt-1 text-sm text-zinc-600">Use the email and password an admin set up for you.</p>
      </div>
      {session?.auth === 'off' ? (
        <div className="flex flex-col items-start gap-4 rounded-xl border border-zinc-200 bg-white p-5 text-sm text-zinc-700 shadow-xs sm:p-6">
          <p>Asset Forge runs in single-user mode here: there is nothing to sign in to.</p>
          <Link to={next} className={buttonStyles.primary}>
            Continue
          </Link>
        </div>
      ) : (
        <div className="flex flex-col gap-4 rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6">
          {session && (
            <p className="text-sm text-zinc-700">
              You are signed in as <span className="font-medium break-words text-zinc-900">{session.user.name}</span>.{' '}
              <Link to={next} className="rounded font-medium text-indigo-700 underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
                Continue
              </Link>{' '}
              or sign in as someone else.
            </p>
          )}
          <SignInForm next={next} />
        </div>
      )}
    </div>
  );
}
