// What happened to the latest action on this asset when it cannot be said next to its button: a 409 (someone else
// acted first, so the page was refreshed and may look different now) or a server or connection failure.
import { useMutationState } from '@tanstack/react-query';
import { useState } from 'react';
import { AlertIcon, CloseIcon } from '../../../components/ui/icons';
import { ApiError } from '../../../lib/api-client';
import { assetKeys } from '../api/asset-keys';

interface Outcome {
  error: Error | null;
  submittedAt: number;
}

function bannerText(error: Error): { tone: 'warning' | 'danger'; title: string; body: string } | null {
  if (!(error instanceof ApiError)) return { tone: 'danger', title: 'That did not work.', body: error.message };
  if (error.status === 409) return { tone: 'warning', title: 'Someone else acted first.', body: `${error.message} The page now shows the asset as it is.` };
  if (error.status === 0) return { tone: 'danger', title: 'Could not reach the server.', body: 'Nothing was changed. Check the connection and try again.' };
  if (error.status >= 500 || error.code === 'invalid_response') {
    return { tone: 'danger', title: 'The server had a problem.', body: `${error.message} Nothing was changed; try again.` };
  }
  return null;
}

export function ActionBanner({ assetId }: { assetId: string }) {
  const outcomes = useMutationState<Outcome>({
    filters: { mutationKey: assetKeys.detail(assetId) },
    select: (m) => ({ error: m.state.error, submittedAt: m.state.submittedAt }),
  });
  const [dismissed, setDismissed] = useState(0);
  // Mutations outlive the page in the cache; a visit only speaks of what was done during it.
  const [openedAt] = useState(() => Date.now());
  const latest = outcomes
    .filter((o) => o.submittedAt >= openedAt)
    .reduce<Outcome | null>((a, b) => (a === null || b.submittedAt >= a.submittedAt ? b : a), null);
  const text = latest?.error && latest.submittedAt !== dismissed ? bannerText(latest.error) : null;
  const tone = text?.tone === 'warning' ? 'border-amber-300 bg-amber-50 text-amber-950' : 'border-red-300 bg-red-50 text-red-950';
  return (
    <div role="alert" className="empty:hidden">
      {text && latest && (
        <div className={`flex items-start gap-3 rounded-xl border p-4 text-sm ${tone}`}>
          <AlertIcon className="mt-0.5 size-5 shrink-0" />
          <p className="min-w-0 flex-1">
            <span className="font-semibold">{text.title}</span> {text.body}
          </p>
          <button
            type="button"
            onClick={() => setDismissed(latest.submittedAt)}
            className="-m-1 rounded-md p-1 hover:bg-black/5 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600"
          >
            <CloseIcon />
            <span className="sr-only">Dismiss message</span>
          </button>
        </div>
      )}
    </div>
  );
}
