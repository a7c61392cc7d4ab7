// "12 s ago", kept current by the shared clock.
import { useServerNow } from '../../lib/clock';
import { timeAgo } from '../../lib/format';

export function RelativeTime({ at, prefix }: { at: number; prefix?: string }) {
  const now = useServerNow();
  const date = new Date(at);
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString('en')}>
      {prefix ? `${prefix} ` : ''}
      {timeAgo(at, now)}
    </time>
  );
}
