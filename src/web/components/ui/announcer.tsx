// The page's polite live region: present from the first render so screen readers pick up every later addition.
import { useNotifications } from './notifications';

export function Announcer() {
  const { announcements } = useNotifications();
  return (
    <div role="status" aria-live="polite" aria-label="Asset updates" className="sr-only">
      {announcements.map((a) => (
        <p key={a.id}>{a.text}</p>
      ))}
    </div>
  );
}
