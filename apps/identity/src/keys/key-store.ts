import type { webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Clock } from '../clock.js';
import type { JsonFile } from '../storage/json-file.js';

/** Cognito signs ID and access tokens with different keys; so do we, so a one-key verifier fails here first. */
export type KeyUse = 'id' | 'access';
export const KEY_USES: readonly KeyUse[] = ['id', 'access'];
export const SIGNING_ALGORITHM = 'RS256';

interface StoredKey {
  kid: string;
  use: KeyUse;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: number;
  /** When a newer key took over signing; the public key stays published while tokens it signed live. */
  retiredAt: number | null;
}

export interface KeysDocument {
  version: 1;
  keys: StoredKey[];
}

export interface PublicJwk {
  alg: string;
  e: string;
  kid: string;
  kty: 'RSA';
  n: string;
  use: 'sig';
}

export interface SigningKey {
  kid: string;
  key: webcrypto.CryptoKey;
}

/**
 * The signing keys, persisted under the data dir so that a restart keeps issued tokens valid.
 * `rotate()` starts new keys; a retired key stays in the JWKS until every token it signed has expired.
 */
export class KeyStore {
  private readonly imported = new Map<string, Promise<webcrypto.CryptoKey>>();

  private constructor(
    private readonly file: JsonFile<KeysDocument>,
    private readonly clock: Clock,
    private readonly tokenLifetimeMs: number,
    private keys: StoredKey[],
  ) {}

  /** Loads the keys, creating any that are missing (first start on an empty data dir). */
  static async open(
    file: JsonFile<KeysDocument>,
    clock: Clock,
    maxTokenLifetimeSeconds: number,
  ): Promise<KeyStore> {
    const document = await file.read();
    const store = new KeyStore(file, clock, maxTokenLifetimeSeconds * 1000, document?.keys ?? []);
    const missing = KEY_USES.filter((use) => !store.active(use));
    if (missing.length > 0) {
      for (const use of missing) store.keys.push(await createKey(use, clock.now()));
      await store.save();
    }
    return store;
  }

  async signingKey(use: KeyUse): Promise<SigningKey> {
    const stored = this.active(use);
    if (!stored) throw new Error(`no active ${use} signing key`);
    return { kid: stored.kid, key: await this.importKey(stored, 'private') };
  }

  /** A published key (active or retired) of the given use, for verifying tokens identity itself issued. */
  async verificationKey(kid: string, use: KeyUse): Promise<webcrypto.CryptoKey | undefined> {
    const stored = this.published().find((key) => key.kid === kid && key.use === use);
    return stored ? this.importKey(stored, 'public') : undefined;
  }

  /** The public keys of `<issuer>/.well-known/jwks.json`. */
  jwks(): { keys: PublicJwk[] } {
    return {
      keys: this.published().map(({ kid, publicJwk }) => ({
        alg: SIGNING_ALGORITHM,
        e: publicJwk.e as string,
        kid,
        kty: 'RSA',
        n: publicJwk.n as string,
        use: 'sig',
      })),
    };
  }

  /** Retires the active keys, starts new ones, and forgets retired keys whose tokens have all expired. */
  async rotate(): Promise<void> {
    const now = this.clock.now();
    const fresh = await Promise.all(KEY_USES.map((use) => createKey(use, now)));
    for (const key of this.keys) key.retiredAt ??= now;
    this.keys = [...this.published(), ...fresh];
    await this.save();
  }

  private active(use: KeyUse): StoredKey | undefined {
    return this.keys.find((key) => key.use === use && key.retiredAt === null);
  }

  private published(): StoredKey[] {
    const now = this.clock.now();
    return this.keys.filter((key) => key.retiredAt === null || key.retiredAt + this.tokenLifetimeMs > now);
  }

  private importKey(stored: StoredKey, which: 'private' | 'public'): Promise<webcrypto.CryptoKey> {
    const cacheKey = `${stored.kid}:${which}`;
    let key = this.imported.get(cacheKey);
    if (!key) {
      const jwk = which === 'private' ? stored.privateJwk : stored.publicJwk;
      key = importJWK(jwk, SIGNING_ALGORITHM) as Promise<webcrypto.CryptoKey>;
      this.imported.set(cacheKey, key);
    }
    return key;
  }

  private save(): Promise<void> {
    return this.file.write({ version: 1, keys: this.keys });
  }
}

async function createKey(use: KeyUse, now: number): Promise<StoredKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, {
    modulusLength: 2048,
    extractable: true,
  });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, use, privateJwk, publicJwk, createdAt: now, retiredAt: null };
}
