/**
 * The Lambda entry points of the Cognito triggers: the handlers of @helpline/cognito-triggers
 * (infra/triggers), the same code identity runs locally. The only addition is where Post
 * confirmation's client credentials come from: Secrets Manager (seed §11.1), read once per
 * container through the AWS Parameters and Secrets Lambda extension, and put where the handlers'
 * configuration reads them (SERVICE_CLIENT_ID / SERVICE_CLIENT_SECRET) before their first use.
 * Nothing secret is in the function's configuration.
 */
import {
  postConfirmation as postConfirmationHandler,
  preSignUp,
  preTokenGeneration,
  type PostConfirmationEvent,
} from '@helpline/cognito-triggers';

export { preSignUp, preTokenGeneration };

/** The extension's local endpoint (its default port). */
const EXTENSION_URL = 'http://localhost:2773/secretsmanager/get';

let credentials: Promise<void> | undefined;

async function loadClientCredentials(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const secretId = env.SERVICE_CLIENT_SECRET_ID;
  if (!secretId || env.SERVICE_CLIENT_SECRET) return;
  const response = await fetch(`${EXTENSION_URL}?secretId=${encodeURIComponent(secretId)}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
    signal: AbortSignal.timeout(2_000),
  });
  if (!response.ok) throw new Error(`cannot read secret ${secretId}: HTTP ${response.status}`);
  const { SecretString } = (await response.json()) as { SecretString?: string };
  const value = JSON.parse(SecretString ?? '{}') as { clientId?: string; clientSecret?: string };
  if (!value.clientId || !value.clientSecret)
    throw new Error(`secret ${secretId} lacks clientId or clientSecret`);
  env.SERVICE_CLIENT_ID = value.clientId;
  env.SERVICE_CLIENT_SECRET = value.clientSecret;
}

export const postConfirmation = async (event: PostConfirmationEvent): Promise<PostConfirmationEvent> => {
  // A failed read is tried again on the next invocation rather than cached.
  credentials ??= loadClientCredentials().catch((error: unknown) => {
    credentials = undefined;
    throw error;
  });
  await credentials;
  return postConfirmationHandler(event);
};
