import {
  calculateJwkThumbprint,
  CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  JWK,
} from 'jose';
import { readTestKeyPool } from './keys-pool.js';

/** One RS256 key pair as Cognito publishes it: `kid`, `alg`, `use` on the public JWK. */
export interface TestSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicKeyPem: string;
}

let pool: JWK[] | undefined;
let pooledUsed = 0;

/** A key no other issuer in this test module has: a pooled one while they last, then a fresh one. */
export async function createSigningKey(): Promise<TestSigningKey> {
  pool ??= readTestKeyPool();
  const preset = pool[pooledUsed++];
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  if (preset) {
    const { kty, n, e } = preset as Required<Pick<JWK, 'kty' | 'n' | 'e'>>;
    [privateKey, publicKey] = await Promise.all([
      importJWK({ ...preset }, 'RS256') as Promise<CryptoKey>,
      importJWK({ kty, n, e }, 'RS256', { extractable: true }) as Promise<CryptoKey>,
    ]);
  } else {
    ({ privateKey, publicKey } = await generateKeyPair('RS256'));
  }
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return {
    kid,
    privateKey,
    publicJwk: { alg: 'RS256', e: jwk.e, kid, kty: 'RSA', n: jwk.n, use: 'sig' },
    publicKeyPem: await exportSPKI(publicKey),
  };
}
