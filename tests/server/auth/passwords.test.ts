// Password storage: scrypt at the production cost, salted, verifiable, and robust against stored garbage.
import { createAuthService } from '../../../src/server/auth/auth-service';
import { DEFAULT_ADMIN_EMAIL, describeFirstAdmin, ensureFirstAdmin } from '../../../src/server/auth/bootstrap';
import { DEFAULT_COST, generatePassword, hashPassword, verifyPassword } from '../../../src/server/auth/passwords';
import { openDatabase } from '../../../src/server/storage/database';
import { TEST_PASSWORD_COST } from '../helpers/test-app';

describe('password hashes', () => {
  it('are scrypt at N=2^15, r=8 (32 MiB), salted so one password never hashes the same twice', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(DEFAULT_COST).toEqual({ logN: 15, r: 8, p: 1 });
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });

  it('treat a Unicode password the same however it was composed', async () => {
    const h = await hashPassword('caf\u00e9-password', TEST_PASSWORD_COST);
    expect(await verifyPassword('cafe\u0301-password', h)).toBe(true);
  });

  it.each(['', 'plain', 'scrypt$15$8$1$salt', 'scrypt$99$8$1$c2FsdA$aGFzaA', 'bcrypt$2b$10$x$y$z', 'scrypt$a$b$c$d$e'])(
    'never verify against a malformed stored hash (%s)',
    async (stored) => {
      expect(await verifyPassword('anything', stored)).toBe(false);
    },
  );

  it('generate first-admin passwords a person can type, without look-alike characters', () => {
    const seen = new Set(Array.from({ length: 50 }, generatePassword));
    expect(seen.size).toBe(50);
    for (const p of seen) expect(p).toMatch(/^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$/);
  });
});

describe('the first admin', () => {
  it('is created once, with a generated password that signs in', async () => {
    const db = openDatabase(':memory:');
    const service = createAuthService(db, { passwordCost: TEST_PASSWORD_COST });
    const first = await ensureFirstAdmin(service, { email: undefined, password: undefined });
    if (!first) throw new Error('no admin created');
    expect(first.email).toBe(DEFAULT_ADMIN_EMAIL);
    const password = first.generatedPassword ?? '';
    expect(describeFirstAdmin(first)).toContain(`password: ${password}`);
    expect((await service.checkCredentials(DEFAULT_ADMIN_EMAIL, password))?.role).toBe('admin');
    expect(await ensureFirstAdmin(service, { email: 'other@studio.example', password: 'another password' })).toBeNull();
    expect(service.userCount()).toBe(1);
    db.close();
  });
});
