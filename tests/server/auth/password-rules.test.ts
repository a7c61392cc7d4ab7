// The rules for a new password, wherever one is set over HTTP (adding a user, changing your own, an admin's reset),
// each refusal saying which rule it broke; and the generated ones meet them.
import { AUTH_LIMITS, UserSchema } from '../../../src/contract/auth';
import { DEFAULT_ADMIN_EMAIL, FIRST_ADMIN_NAME } from '../../../src/server/auth/bootstrap';
import { generatePasswordFor, isCommonPassword, newPasswordProblem } from '../../../src/server/auth/password-policy';
import { generatePassword } from '../../../src/server/auth/passwords';
import { errorOf, makeTestApp, signedInAs, TEST_USER_PASSWORD, type Credentials, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: Credentials;

beforeEach(async () => {
  t = await makeTestApp({ signIn: true });
  admin = await signedInAs(t, 'admin');
});
afterEach(async () => t.close());

const addUser = (password: string, email = 'margot.lane@studio.example', name = 'Margot Lane') =>
  t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { email, name, role: 'viewer', password } });

const LENGTH = 'Password must be at least 12 characters';
const EMAIL = 'Password must not be the account’s email address.';
const LOCAL_PART = 'Password must not contain the part of the email address before the @.';
const NAME = 'Password must not be the account’s name.';
const COMMON = /^Password is one of the most common passwords/;

describe('adding a user', () => {
  it.each([
    ['elevenchars', LENGTH],
    ['margot.lane@studio.example', EMAIL],
    ['Margot.Lane@Studio.Example', EMAIL],
    ['margotlane2024', LOCAL_PART],
    ['my name is margot.lane', LOCAL_PART],
  ])('refuses %j: %s', async (password, message) => {
    const res = await addUser(password);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toBe(`Invalid body: password: ${message}`);
  });

  it.each(['aaaaaaaaaaaa', '121212121212', 'abcabcabcabc', 'abcdefghijkl', '210987654321', 'ZYXWVUTSRQPO'])(
    'refuses %j, a pattern guessed early however long, saying so',
    async (password) => {
      const res = await addUser(password);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toMatch(/^Invalid body: password: Password is a pattern that is guessed early/);
    },
  );

  it('refuses the person’s name, ignoring case, spaces and digits at the end', async () => {
    for (const password of ['Margot Lane Esq', 'margot lane esq 1']) {
      const res = await addUser(password, 'ml@studio.example', 'Margot Lane Esq');
      expect(res.statusCode, password).toBe(400);
      expect(errorOf(res).message).toBe(`Invalid body: password: ${NAME}`);
    }
  });

  it.each(['password1234', 'Qwerty123456', '123qweasdzxc', 'iloveyou2024!', '!!sunshine!!!'])(
    'refuses the common password %j, and one with digits or symbols added',
    async (password) => {
      const res = await addUser(password);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toMatch(COMMON);
    },
  );

  it('accepts a password that meets every rule', async () => {
    const res = await addUser('plum kettle orbit lantern');
    expect(res.statusCode).toBe(201);
    expect(UserSchema.parse(res.json()).email).toBe('margot.lane@studio.example');
  });
});

describe('changing your own password and an admin’s reset', () => {
  it('apply the same rules, saying which one failed', async () => {
    const change = (new_password: string) =>
      t.app.inject({ method: 'POST', url: '/api/session/password', headers: admin, payload: { current_password: TEST_USER_PASSWORD, new_password } });
    expect(errorOf(await change('admin@studio.example')).message).toBe(EMAIL);
    expect(errorOf(await change('password12345')).message).toMatch(COMMON);
    expect(errorOf(await change('A admin forever')).message).toBe(LOCAL_PART);
    // None of those was a wrong current password: the limiter has not counted them.
    expect((await change('violet anchor meadow')).statusCode).toBe(204);

    const viewer = await addUser('plum kettle orbit lantern');
    const id = UserSchema.parse(viewer.json()).id;
    const reset = (password: string) => t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { password } });
    expect(errorOf(await reset('football1234')).message).toMatch(COMMON);
    expect(errorOf(await reset('Margot Lane')).message).toBe(`Invalid body: password: ${LENGTH}`);
    expect(errorOf(await reset('xx margotlane xx')).message).toBe(LOCAL_PART);
    expect((await reset('violet anchor meadow')).statusCode).toBe(200);
  });
});

describe('the rules themselves', () => {
  it('need at least 12 characters, shared with the page through the contract', () => {
    expect(AUTH_LIMITS.passwordMin).toBe(12);
    expect(newPasswordProblem('kettle-orbit', { email: 'x@y.example' })).toBeNull();
    expect(newPasswordProblem('abcdefghij!', { email: 'x@y.example' })).toBe(`${LENGTH}.`);
  });

  it('check the password list lower-cased, and leave phrases of common words alone', () => {
    expect(isCommonPassword('QWERTYUIOPASDF')).toBe(false);
    expect(isCommonPassword('QwErTy123456')).toBe(true);
    expect(isCommonPassword('dragon monkey shadow')).toBe(false);
  });

  it('are met by every generated password, the first admin’s included', () => {
    for (let i = 0; i < 200; i++) {
      expect(newPasswordProblem(generatePassword(), { email: DEFAULT_ADMIN_EMAIL, name: FIRST_ADMIN_NAME })).toBeNull();
    }
    const who = { email: 'mark@studio.example', name: 'Mark' };
    for (let i = 0; i < 50; i++) expect(newPasswordProblem(generatePasswordFor(who), who)).toBeNull();
  });
});
