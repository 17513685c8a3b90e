#!/usr/bin/env node
// Prints a demo user's access token from the running identity service, the way a confidential
// app client gets one from Cognito: InitiateAuth with USER_PASSWORD_AUTH and a SECRET_HASH.
//   npm run -s token -- user@example.com [password] [--id]
import { createHmac } from 'node:crypto';

const args = process.argv.slice(2);
const wantId = args.includes('--id');
const [username, password = 'Passw0rd!'] = args.filter((a) => a !== '--id');
if (!username) {
  process.stderr.write('usage: npm run -s token -- <email> [password] [--id]\n');
  process.exit(2);
}
const endpoint = process.env.IDENTITY_URL ?? 'http://localhost:9229';
const clientId = process.env.TOKEN_CLIENT_ID ?? 'helpline-api';
const clientSecret = process.env.TOKEN_CLIENT_SECRET ?? 'helpline-api-secret';
const secretHash = createHmac('sha256', clientSecret)
  .update(username + clientId)
  .digest('base64');

const res = await fetch(endpoint, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
  },
  body: JSON.stringify({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: secretHash },
  }),
}).catch((error) => {
  process.stderr.write(`cannot reach identity at ${endpoint} (is npm start running?): ${error.message}\n`);
  process.exit(1);
});
const body = await res.json();
if (!res.ok || !body.AuthenticationResult) {
  process.stderr.write(`${body.__type ?? res.status}: ${body.message ?? JSON.stringify(body)}\n`);
  process.exit(1);
}
process.stdout.write(
  `${wantId ? body.AuthenticationResult.IdToken : body.AuthenticationResult.AccessToken}\n`,
);
