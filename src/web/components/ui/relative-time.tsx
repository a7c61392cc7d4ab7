// "12 s ago", kept current by the shared clock.
import { useClock } from '../../lib/clock';
import { dateTime, timeAgo } from '../../lib/format';

export function RelativeTime({ at, prefix }: { at: number; prefix?: string }) {
  const ago = useClock((now) => timeAgo(at, now));
  return (
    <time dateTime={new Date(at).toISOString()} title={dateTime(at)}>
      {prefix ? `${prefix} ` : ''}
      {ago}
    </time>
  );
}
