#!/usr/bin/env node
// Prints a demo user's access token from the running identity service, the way a confidential
// app client gets one from Cognito: InitiateAuth with USER_PASSWORD_AUTH and a SECRET_HASH.
//   npm run -s token -- user@example.com [password] [--id]
import { DEMO_PASSWORD, signIn } from './demo-sign-in.mjs';

const args = process.argv.slice(2);
const wantId = args.includes('--id');
const [username, password = DEMO_PASSWORD] = args.filter((a) => a !== '--id');
if (!username) {
  process.stderr.write('usage: npm run -s token -- <email> [password] [--id]\n');
  process.exit(2);
}
try {
  const result = await signIn(username, {
    password,
    endpoint: process.env.IDENTITY_URL,
    clientId: process.env.TOKEN_CLIENT_ID,
    clientSecret: process.env.TOKEN_CLIENT_SECRET,
  });
  process.stdout.write(`${wantId ? result.IdToken : result.AccessToken}\n`);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
