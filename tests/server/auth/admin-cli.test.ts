// `npm run admin -- reset-password <email>` as a process: the way back in when the printed password is lost.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthService } from '../../../src/server/auth/auth-service';
import { openDatabase } from '../../../src/server/storage/database';
import { TEST_PASSWORD_COST } from '../helpers/test-app';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'asset-forge-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/server/admin-cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });

describe('the admin command', () => {
  it('resets a password: prints a new one that signs in, the old one stops working, sessions and tokens end', async () => {
    const file = path.join(dataDir, 'asset-forge.sqlite');
    const before = openDatabase(file);
    const service = createAuthService(before, { passwordCost: TEST_PASSWORD_COST });
    const user = await service.createUser({ email: 'lead@studio.example', name: 'Lead', role: 'admin', password: 'the lost password' });
    service.startSession(user.id);
    service.createToken(user.id, 'made with the lost password');
    before.close();

    const run = cli('reset-password', 'Lead@Studio.example');
    expect(run.status, run.stderr).toBe(0);
    const password = /password: (\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(run.stdout).toContain('Every browser signed in as this account was signed out, and its 1 API token was revoked.');

    const after = openDatabase(file);
    const check = createAuthService(after);
    expect((await check.checkCredentials('lead@studio.example', password))?.id).toBe(user.id);
    expect(await check.checkCredentials('lead@studio.example', 'the lost password')).toBeUndefined();
    expect(after.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    expect(after.prepare('SELECT count(*) AS n FROM api_tokens').get()).toEqual({ n: 0 });
    after.close();
  }, 30_000);

  it('says what is wrong for an unknown account or a bad command, and changes nothing', () => {
    const unknown = cli('reset-password', 'nobody@studio.example');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No account with the email nobody@studio.example');
    const bad = cli('reset');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Usage: npm run admin -- reset-password <email>');
  }, 30_000);
});
