// `npm run admin -- reset-password <email>`: a new generated password for an account, printed once, and every
// session and API token of that account ended. The way back in when the first admin's printed password is lost,
// and the way to shut out someone who may have it.
import path from 'node:path';
import { EmailSchema } from '../contract/auth';
import { createAuthService } from './auth/auth-service';
import { generatePasswordFor } from './auth/password-policy';
import { readConfig } from './config';
import { openDatabase } from './storage/database';

const USAGE = 'Usage: npm run admin -- reset-password <email>';

async function run(args: string[]): Promise<number> {
  const [command, rawEmail] = args;
  if (command !== 'reset-password' || rawEmail === undefined || args.length !== 2) {
    console.error(USAGE);
    return 2;
  }
  const email = EmailSchema.safeParse(rawEmail);
  if (!email.success) {
    console.error(`Not an email address: ${rawEmail}\n${USAGE}`);
    return 2;
  }
  const config = readConfig();
  const db = openDatabase(path.join(config.dataDir, 'asset-forge.sqlite'));
  try {
    const service = createAuthService(db);
    const user = service.listUsers().find((u) => u.email === email.data);
    if (!user) {
      console.error(`No account with the email ${email.data} in ${config.dataDir}.`);
      return 1;
    }
    const password = generatePasswordFor(user);
    const tokens = service.listTokens(user.id).length;
    await service.updateUser(user.id, { password });
    console.log(`New password for ${user.email} (${user.role}), shown only now:\n    password: ${password}`);
    console.log(`Every browser signed in as this account was signed out, and its ${tokens} API token${tokens === 1 ? ' was' : 's were'} revoked.`);
    return 0;
  } finally {
    db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('Could not reset the password:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
