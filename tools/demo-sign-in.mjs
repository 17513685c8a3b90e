// A demo user's tokens from the running identity service, the way a confidential app client gets
// them from Cognito: InitiateAuth with USER_PASSWORD_AUTH and a SECRET_HASH. Shared by
// `npm run token`, the smoke start and the benchmarks.
import { createHmac } from 'node:crypto';

export const DEMO_PASSWORD = 'Passw0rd!';

/**
 * Resolves with Cognito's `AuthenticationResult` ({ AccessToken, IdToken, RefreshToken, … });
 * rejects naming identity's error, or that identity cannot be reached.
 */
export async function signIn(
  username,
  {
    password = DEMO_PASSWORD,
    endpoint = 'http://localhost:9229',
    clientId = 'helpline-api',
    clientSecret = 'helpline-api-secret',
  } = {},
) {
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
    throw new Error(`cannot reach identity at ${endpoint} (is npm start running?): ${error.message}`);
  });
  const body = await res.json();
  if (!res.ok || !body.AuthenticationResult) {
    throw new Error(`${body.__type ?? res.status}: ${body.message ?? JSON.stringify(body)}`);
  }
  return body.AuthenticationResult;
}
