import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_POOL } from '@helpline/cognito-pool';
import { KeyStore, type KeysDocument } from '../keys/key-store.js';
import { startIdentityServer, type IdentityServerOptions, type RunningIdentityServer } from '../server.js';
import { JsonFile } from '../storage/json-file.js';

/** scrypt N for tests: cheap, since the hashing itself is not under test. */
export const TEST_HASH_COST = 2 ** 10;

/** The checked-in pool's id and its demo users' password (infra/cognito/pool.json). */
export const POOL_ID = LOCAL_POOL.poolId;
export const DEMO_PASSWORD = demoPassword();

function demoPassword(): string {
  if (LOCAL_POOL.demoPassword === undefined)
    throw new Error('the demo users of pool.json no longer share a password');
  return LOCAL_POOL.demoPassword;
}

export interface TestIdentity extends RunningIdentityServer {
  dataDir: string;
  /** Stops the server and deletes its data dir. */
  dispose(): Promise<void>;
}

let sharedKeys: Promise<string> | undefined;

/**
 * A keys.json made once per test process and copied into each fresh data dir: RSA key generation is the
 * slowest part of a start. Suites that pass their own `dataDir` (the key tests) still generate keys.
 */
function sharedKeysFile(): Promise<string> {
  sharedKeys ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'identity-keys-'));
    const file = join(dir, 'keys.json');
    await KeyStore.open(new JsonFile<KeysDocument>(file), { now: () => 0 }, 1);
    return file;
  })();
  return sharedKeys;
}

/** identity on 127.0.0.1:<free port> with a fresh temp data dir, the checked-in pool, and silent logs. */
export async function startTestIdentity(options: Partial<IdentityServerOptions> = {}): Promise<TestIdentity> {
  let dataDir = options.dataDir;
  if (!dataDir) {
    dataDir = await mkdtemp(join(tmpdir(), 'identity-test-'));
    await copyFile(await sharedKeysFile(), join(dataDir, 'keys.json'));
  }
  const server = await startIdentityServer({ passwordHashCost: TEST_HASH_COST, ...options, dataDir });
  return {
    ...server,
    dataDir: dataDir as string,
    async dispose() {
      await server.close();
      if (!options.dataDir) await rm(dataDir as string, { recursive: true, force: true });
    },
  };
}

/** Form-encoded POST, as OAuth clients send. */
export function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** The payload of a JWT, unverified: for asserting claim shapes of tokens verified elsewhere. */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export function decodeHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** The latest sign-up code for a user, from the local outbox. */
export function confirmationCode(baseUrl: string, username: string): Promise<string> {
  return outboxCode(baseUrl, username, 'SIGN_UP_CONFIRMATION');
}

/** The latest code of a kind sent to a user (by username or email), from the local outbox. */
export async function outboxCode(
  baseUrl: string,
  who: string,
  kind: 'SIGN_UP_CONFIRMATION' | 'PASSWORD_RESET' | 'ATTRIBUTE_VERIFICATION',
): Promise<string> {
  const response = await fetch(`${baseUrl}/_local/outbox?username=${encodeURIComponent(who)}`);
  const { items } = (await response.json()) as { items: { kind: string; code?: string }[] };
  const code = items.find((item) => item.kind === kind)?.code;
  if (!code) throw new Error(`no ${kind} code in the outbox for ${who}`);
  return code;
}

/** One Cognito JSON API call without the SDK (suites that test other things stay light). */
export async function cognitoCall(baseUrl: string, operation: string, input: object) {
  const response = await fetch(`${baseUrl}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
