import { isLoopback, readConfig } from '../../src/server/config';

describe('readConfig', () => {
  it('uses the documented defaults', () => {
    const c = readConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', seed: true, stepMs: 4000, countdownMs: 10_000, workers: 1, webBuild: true });
    // Sign-in is on unless turned off; no admin is configured, so the first start generates a password.
    expect(c).toMatchObject({ auth: 'on', admin: { email: undefined, password: undefined }, secureCookies: false });
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('reads every variable', () => {
    const c = readConfig({ PORT: '8080', HOST: '0.0.0.0', DATA_DIR: '/tmp/x', SEED: '0', ASSET_STEP_MS: '50', ASSET_COUNTDOWN_MS: '2000', ASSET_WORKERS: '2', WEB_BUILD: '0' });
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: '/tmp/x', seed: false, stepMs: 50, countdownMs: 2000, workers: 2, webBuild: false });
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ ASSET_STEP_MS: '-5' }, 'ASSET_STEP_MS'],
    [{ ASSET_COUNTDOWN_MS: '10s' }, 'ASSET_COUNTDOWN_MS'],
    [{ SEED: 'yes' }, 'SEED'],
    [{ ASSET_STEP_MS: '5000', ASSET_STEP_TIMEOUT_MS: '5000' }, 'must be less than ASSET_STEP_TIMEOUT_MS'],
    [{ AUTH: 'no' }, 'AUTH'],
    [{ AUTH: 'off', HOST: '0.0.0.0' }, 'allowed only on a loopback HOST'],
    [{ AUTH: 'off', HOST: '192.168.1.20' }, 'allowed only on a loopback HOST'],
    [{ ADMIN_EMAIL: 'not-an-email' }, 'ADMIN_EMAIL'],
    [{ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD: Password must be at least 12 characters.'],
    [{ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'password2024!' }, 'ADMIN_PASSWORD: Password is one of the most common passwords'],
    [{ ADMIN_EMAIL: 'lead@b.example', ADMIN_PASSWORD: 'lead-studio-2024' }, 'ADMIN_PASSWORD: Password must not contain the part of the email address before the @.'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY: must be a number of proxy hops'],
    [{ TRUST_PROXY: '11' }, 'TRUST_PROXY: must be a number of proxy hops'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY: must be a number of proxy hops'],
    [{ TRUST_PROXY: '127.0.0.1, proxy.example' }, '"proxy.example" is neither'],
    [{ ADMIN_PASSWORD: 'long enough password' }, 'ADMIN_PASSWORD is set without ADMIN_EMAIL'],
  ])('refuses %o with a message naming it', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it('reads TRUST_PROXY: nothing trusted by default, a number of hops, or a list of addresses and CIDRs', () => {
    expect(readConfig({}).trustProxy).toBeUndefined();
    expect(readConfig({ TRUST_PROXY: '' }).trustProxy).toBeUndefined();
    expect(readConfig({ TRUST_PROXY: '0' }).trustProxy).toBeUndefined();
    expect(readConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(readConfig({ TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8 ,::1, fd00::/8' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
  });

  it('reads the sign-in settings, normalising the admin email', () => {
    const c = readConfig({ ADMIN_EMAIL: ' Lead@Studio.Example ', ADMIN_PASSWORD: 'a long password', SECURE_COOKIES: '1' });
    expect(c).toMatchObject({ auth: 'on', admin: { email: 'lead@studio.example', password: 'a long password' }, secureCookies: true });
    expect(readConfig({ AUTH: 'off', HOST: '::1' }).auth).toBe('off');
  });

  it('never echoes a refused admin password', () => {
    let message = '';
    try {
      readConfig({ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'secret1' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('ADMIN_PASSWORD');
    expect(message).not.toContain('secret1');
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['127.0.0.1.evil.example', false],
  ])('isLoopback(%s) is %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
