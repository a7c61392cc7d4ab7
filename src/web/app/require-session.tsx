// The pages behind sign-in: nothing of them shows until the session is known; without one the person goes to the
// sign-in page, which brings them back here (path and search) afterwards.
import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorState } from '../components/ui/error-state';
import { isUnreachable } from '../lib/api-client';
import { signInPath } from '../lib/next-path';
import { useSession } from '../lib/session';

export function RequireSession() {
  const session = useSession();
  const { pathname, search } = useLocation();

  if (session.data === undefined) {
    if (session.isError) {
      return (
        <ErrorState
          title="Couldn't check who you are"
          message={
            isUnreachable(session.error)
              ? 'The server cannot be reached right now. Check the connection and try again.'
              : session.error.message
          }
          onRetry={() => void session.refetch()}
        />
      );
    }
    return (
      <p role="status" className="text-sm text-zinc-600">
        Loading…
      </p>
    );
  }
  if (session.data === null) return <Navigate to={signInPath(`${pathname}${search}`)} replace />;
  return <Outlet />;
}
