import { readConfig } from '../../src/server/config';

describe('readConfig', () => {
  it('uses the documented defaults', () => {
    const c = readConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', seed: true, stepMs: 4000, countdownMs: 10_000, workers: 1, webBuild: true });
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
  ])('refuses %o with a message naming it', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
