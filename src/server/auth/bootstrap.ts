// The first admin, on the first start with sign-in on: from ADMIN_EMAIL/ADMIN_PASSWORD, or with a generated
// password printed once (as Grafana and Jenkins do). Later starts leave accounts alone.
import type { AuthService } from './auth-service';
import { generatePasswordFor } from './password-policy';

export const DEFAULT_ADMIN_EMAIL = 'admin@asset-forge.local';
/** The first admin's name, which their password must not be. */
export const FIRST_ADMIN_NAME = 'Admin';

export interface FirstAdmin {
  email: string;
  /** Set only when the password was generated: the one time it is shown. */
  generatedPassword: string | null;
}

export async function ensureFirstAdmin(
  service: AuthService,
  admin: { email: string | undefined; password: string | undefined },
): Promise<FirstAdmin | null> {
  if (service.userCount() > 0) return null;
  const email = admin.email ?? DEFAULT_ADMIN_EMAIL;
  const password = admin.password ?? generatePasswordFor({ email, name: FIRST_ADMIN_NAME });
  await service.createUser({ email, name: FIRST_ADMIN_NAME, role: 'admin', password });
  return { email, generatedPassword: admin.password === undefined ? password : null };
}

/** The console lines for a first admin; the password appears here and nowhere else. */
export function describeFirstAdmin(a: FirstAdmin): string {
  if (a.generatedPassword === null) return `Created the admin account ${a.email} (password from ADMIN_PASSWORD).`;
  return [
    'Created the first admin account. This password is shown only now:',
    `    email:    ${a.email}`,
    `    password: ${a.generatedPassword}`,
    'Sign in with it, then change it under Account, or set ADMIN_EMAIL and ADMIN_PASSWORD before the first start.',
    `Lost it? npm run admin -- reset-password ${a.email}`,
  ].join('\n');
}
