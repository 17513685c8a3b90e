import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** Names the file of RSA keys generated once for a whole test run. */
export const TEST_KEY_POOL_ENV = 'HELPLINE_TEST_KEY_POOL';
const POOL_SIZE = 6;

/**
 * Generating an RSA-2048 key costs ~200 ms of CPU. A test run's global setup generates a few once,
 * into a private temp file, and every test process takes from it; nothing is ever committed.
 * Returns the teardown.
 */
export async function createTestKeyPool(): Promise<() => Promise<void>> {
  const keys = await Promise.all(
    Array.from({ length: POOL_SIZE }, async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      return exportJWK(privateKey);
    }),
  );
  const dir = await mkdtemp(join(tmpdir(), 'helpline-test-keys-'));
  const file = join(dir, 'keys.json');
  await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
  process.env[TEST_KEY_POOL_ENV] = file;
  return async () => {
    delete process.env[TEST_KEY_POOL_ENV];
    await rm(dir, { recursive: true, force: true });
  };
}

/** The run's pooled private JWKs, or none when the run has no pool (a fresh key is generated then). */
export function readTestKeyPool(): JWK[] {
  const file = process.env[TEST_KEY_POOL_ENV];
  if (!file) return [];
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK[];
  } catch {
    return [];
  }
}
