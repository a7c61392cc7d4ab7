// The visible "Reconnecting…" notice while the API cannot be reached (or keeps failing); it goes away by itself once
// a request succeeds again.
import { OfflineIcon } from '../components/ui/icons';
import { useConnectionProblem } from './use-connection-problem';

export function ReconnectingNotice() {
  const problem = useConnectionProblem();
  // The live region is always there, so its content appearing is announced.
  return (
    <div role="status" aria-label="Connection" className="sticky top-14 z-30">
      {problem && (
        <div className="border-b border-amber-200 bg-amber-50">
          <p className="mx-auto flex max-w-7xl items-center gap-2 px-4 py-2 text-sm text-amber-900 sm:px-6 lg:px-8">
            <OfflineIcon className="size-4 shrink-0" />
            <span>
              <span className="font-semibold">{problem === 'unreachable' ? 'Can’t reach Asset Forge.' : 'Asset Forge is having trouble.'}</span>{' '}
              Showing the last known state. Reconnecting…
            </span>
          </p>
        </div>
      )}
    </div>
  );
}
