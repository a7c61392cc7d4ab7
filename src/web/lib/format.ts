// Short human wording for times and sizes, as the cards and the form show them.

// Made once: toLocaleDateString / toLocaleString build a new ICU formatter on every call, which costs more than
// the rest of a card's render (every card on screen shows a time, and re-renders it with each clock tick).
const shortDate = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', year: 'numeric' });
/** The same wording as Date's toLocaleString('en'). */
const fullDateTime = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });

/** "just now", "12 s ago", "5 min ago", "3 h ago", "4 d ago", or a date for anything older than a month. */
export function timeAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 31) return `${days} d ago`;
  return `on ${shortDate.format(thenMs)}`;
}

/** A date and time in full, as Date's toLocaleString('en') words it ("3/14/2026, 9:26:53 AM"). */
export function dateTime(ms: number): string {
  return fullDateTime.format(ms);
}

/** Whole seconds left until a deadline, never negative; rounds up so "1 s" shows until the deadline itself. */
export function secondsLeft(deadlineMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]?.trim() ?? '';
}
