// Visible toasts for changes that need a person's attention. Not a live region itself: the Announcer already speaks.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { AlertIcon, CloseIcon, EyeIcon, CheckCircleIcon } from './icons';
import { useNotifications, useNotifier, type Toast, type ToastTone } from './notifications';

const TONE: Record<ToastTone, { ring: string; icon: string; Icon: typeof AlertIcon }> = {
  warning: { ring: 'border-amber-300', icon: 'text-amber-700', Icon: EyeIcon },
  danger: { ring: 'border-red-300', icon: 'text-red-700', Icon: AlertIcon },
  success: { ring: 'border-emerald-300', icon: 'text-emerald-700', Icon: CheckCircleIcon },
};

export function Toaster() {
  const { toasts } = useNotifications();
  return (
    <section
      aria-label="Notifications"
      className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end sm:p-6"
    >
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} />
      ))}
    </section>
  );
}

function ToastCard({ toast: t }: { toast: Toast }) {
  const notifier = useNotifier();
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const holding = hovered || focused;
  useEffect(() => {
    // Someone reading or about to act on the toast keeps it (WCAG 2.2.1); it counts on from where it stopped.
    if (holding) notifier.pause(t.id);
    else notifier.resume(t.id);
  }, [holding, notifier, t.id]);
  const tone = TONE[t.tone];
  return (
    <div
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget))) setFocused(false);
      }}
      className={`pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-xl border bg-white p-4 shadow-lg shadow-zinc-900/10 ${tone.ring}`}
    >
      <tone.Icon className={`mt-0.5 size-5 shrink-0 ${tone.icon}`} />
      <div className="min-w-0 flex-1">
        <p className="text-sm font-semibold text-zinc-900">{t.title}</p>
        <p className="mt-0.5 text-sm break-words text-zinc-700">{t.body}</p>
        {t.link && (
          <Link
            to={t.link.to}
            onClick={() => notifier.dismiss(t.id)}
            className="mt-2 inline-block rounded text-sm font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {t.link.label}
          </Link>
        )}
      </div>
      <button
        type="button"
        onClick={() => notifier.dismiss(t.id)}
        className="-m-1 rounded-md p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600"
      >
        <CloseIcon />
        <span className="sr-only">Dismiss notification</span>
      </button>
    </div>
  );
}
