import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scryptAsync = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** OWASP's scrypt minimum (N=2^17 is their first choice; this is a local, dev-only store). */
export const DEFAULT_SCRYPT_COST = 2 ** 14;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

/**
 * scrypt password hashes as `scrypt$N$r$p$salt$hash`: the parameters travel with each hash, so a hash made
 * with a test's cheap cost still verifies after the cost changes.
 */
export class PasswordHasher {
  constructor(private readonly cost = DEFAULT_SCRYPT_COST) {
    if (!Number.isInteger(Math.log2(cost)) || cost < 2)
      throw new Error('scrypt cost must be a power of two ≥ 2');
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.cost, BLOCK_SIZE, PARALLELISM, KEY_LENGTH);
    return [
      'scrypt',
      this.cost,
      BLOCK_SIZE,
      PARALLELISM,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64');
    const actual = await derive(
      password,
      Buffer.from(salt, 'base64'),
      Number(n),
      Number(r),
      Number(p),
      expected.length,
    );
    return timingSafeEqual(actual, expected);
  }
}

function derive(
  password: string,
  salt: Buffer,
  n: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  return scryptAsync(password, salt, length, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });
}
