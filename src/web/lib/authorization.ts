// What the signed-in person's role lets them do, for hiding controls they cannot use. The server stays the
// authority: a control shown by mistake still gets a 403 with a message, shown where it happened.
import { ROLE_SUMMARY, ROLES, roleAtLeast, type Role } from '../../contract/auth';
import { useSession } from './session';

export const ROLE_LABEL: Record<Role, string> = { viewer: 'Viewer', editor: 'Editor', admin: 'Admin' };

/** Everything `role` may do, in full: each summary builds on the role below it ("Also …"). */
export function roleAllows(role: Role): string {
  return ROLES.filter((r) => roleAtLeast(role, r))
    .map((r) => `${ROLE_SUMMARY[r]}.`)
    .join(' ');
}

/** The signed-in person's role; null while the session is unknown or signed out. */
export function useRole(): Role | null {
  return useSession().data?.user.role ?? null;
}

/** True when the signed-in person may do what `needed` may do. */
export function useCan(needed: Role): boolean {
  const role = useRole();
  return role !== null && roleAtLeast(role, needed);
}
