// The frame around every page: skip link, header (with who is signed in), the reconnecting notice, main, and the
// notification regions.
import { Suspense } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { Announcer } from '../components/ui/announcer';
import { ErrorBoundary } from '../components/ui/error-boundary';
import { Toaster } from '../components/ui/toaster';
import { useStageChangeNotifications } from '../features/assets/hooks/use-stage-change-notifications';
import { ReconnectingNotice } from './reconnecting-notice';
import { useSessionExpiry } from './use-session-expiry';
import { UserNav } from './user-nav';

function Logo() {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false" className="size-7">
      <rect width="32" height="32" rx="8" className="fill-zinc-900" />
      <path d="M16 6.5 24.5 11v10L16 25.5 7.5 21V11z" fill="none" stroke="#fff" strokeWidth="2" strokeLinejoin="round" />
      <path d="m7.5 11 8.5 4.5 8.5-4.5M16 15.5v10" fill="none" stroke="#a5b4fc" strokeWidth="2" strokeLinejoin="round" />
    </svg>
  );
}

export function AppShell() {
  useStageChangeNotifications();
  useSessionExpiry();
  const { pathname } = useLocation();
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-zinc-900 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b border-zinc-200 bg-white/90 backdrop-blur supports-[backdrop-filter]:bg-white/75">
        <div className="mx-auto flex h-14 max-w-7xl items-center justify-between gap-3 px-4 sm:px-6 lg:px-8">
          <Link
            to="/"
            className="-mx-1 flex shrink-0 items-center gap-2.5 rounded-md px-1 text-[15px] font-semibold tracking-tight text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            <Logo />
            {/* On a phone the logo alone leaves room for the account links; the name stays the link's name. */}
            <span className="max-sm:sr-only">Asset Forge</span>
          </Link>
          <UserNav />
        </div>
      </header>
      <ReconnectingNotice />
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 sm:px-6 sm:py-8 lg:px-8">
        <ErrorBoundary resetKey={pathname}>
          <Suspense
            fallback={
              <p role="status" className="text-sm text-zinc-600">
                Loading…
              </p>
            }
          >
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </main>
      <Announcer />
      <Toaster />
    </div>
  );
}
