import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The SRP-6a arithmetic of Cognito's USER_SRP_AUTH, as its client libraries (amazon-cognito-identity-js,
 * Amplify) compute the other side: RFC 5054's 3072-bit group with g = 2, SHA-256, Java-style hex encoding
 * of numbers (`padHex`), a password verifier salted with the pool's name, and a 16-byte HKDF key that signs
 * the claim. Only the verifier is ever stored; the password never is.
 */

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const SRP_N = BigInt(`0x${N_HEX}`);
const g = 2n;
/** What the HKDF step names the derived key. */
const HKDF_INFO = 'Caldera Derived Key';
/** Longest SRP_A accepted: N is 768 hex digits; a sign byte and slack are allowed, megabytes are not. */
const MAX_A_HEX_LENGTH = 1024;

/**
 * The even-length hex of a non-negative number, with `00` in front when the top bit is set: the two's
 * complement bytes of Java's BigInteger.toByteArray(), which is what Cognito hashes.
 */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const hexHash = (hex: string): string => sha256Hex(Buffer.from(hex, 'hex'));
const fromHex = (hex: string): bigint => BigInt(`0x${hex}`);

const k = fromHex(hexHash(padHex(SRP_N) + padHex(g)));

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** x = H(salt | H(poolName | username | ":" | password)), as the client derives it. */
function passwordExponent(poolName: string, username: string, password: string, saltHex: string): bigint {
  const inner = sha256Hex(Buffer.from(`${poolName}${username}:${password}`, 'utf8'));
  return fromHex(hexHash(padHex(fromHex(saltHex)) + inner));
}

export interface SrpVerifier {
  /** Hex, as sent in the challenge's SALT. */
  salt: string;
  /** v = g^x mod N, hex. */
  verifier: string;
}

/** A fresh salt and the verifier of `password` for the user whose Cognito username is `username`. */
export function createVerifier(poolName: string, username: string, password: string): SrpVerifier {
  const salt = padHex(fromHex(randomBytes(16).toString('hex')));
  const verifier = modPow(g, passwordExponent(poolName, username, password, salt), SRP_N);
  return { salt, verifier: padHex(verifier) };
}

/** SRP_A as the client sent it, or undefined when it is not hex, is oversized, or is 0 mod N. */
export function parseClientPublic(hex: string): bigint | undefined {
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > MAX_A_HEX_LENGTH) return undefined;
  const value = fromHex(hex);
  return value % SRP_N === 0n ? undefined : value;
}

export interface ServerEphemeral {
  /** b: the server's secret exponent. */
  secret: bigint;
  /** B = k·v + g^b mod N, sent as SRP_B. */
  public: bigint;
}

export function serverEphemeral(verifier: bigint): ServerEphemeral {
  for (;;) {
    const secret = fromHex(randomBytes(32).toString('hex'));
    const pub = (k * verifier + modPow(g, secret, SRP_N)) % SRP_N;
    if (pub !== 0n) return { secret, public: pub };
  }
}

export interface PasswordClaim {
  poolName: string;
  /** USER_ID_FOR_SRP: the Cognito username the client hashed. */
  userId: string;
  clientPublic: bigint;
  server: ServerEphemeral;
  verifier: bigint;
  /** The SECRET_BLOCK as sent (base64): its bytes are signed. */
  secretBlock: string;
  timestamp: string;
  /** PASSWORD_CLAIM_SIGNATURE, base64. */
  signature: string;
}

/**
 * Whether the client proved knowledge of the password: S = (A·v^u)^b mod N, the HKDF key from S and u,
 * and HMAC(key, poolName | userId | secretBlock | timestamp) compared in constant time.
 */
export function verifyPasswordClaim(claim: PasswordClaim): boolean {
  const u = fromHex(hexHash(padHex(claim.clientPublic) + padHex(claim.server.public)));
  if (u === 0n) return false;
  const base = (claim.clientPublic * modPow(claim.verifier, u, SRP_N)) % SRP_N;
  const shared = modPow(base, claim.server.secret, SRP_N);
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(padHex(shared), 'hex'),
      Buffer.from(padHex(u), 'hex'),
      Buffer.from(HKDF_INFO, 'utf8'),
      16,
    ),
  );
  const expected = createHmac('sha256', key)
    .update(Buffer.from(claim.poolName, 'utf8'))
    .update(Buffer.from(claim.userId, 'utf8'))
    .update(Buffer.from(claim.secretBlock, 'base64'))
    .update(Buffer.from(claim.timestamp, 'utf8'))
    .digest();
  const given = Buffer.from(claim.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A number in [1, N) derived from `seed`: a stand-in verifier for a user who does not exist. */
export function pseudoVerifier(seed: Buffer): bigint {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < 400; i++) {
    blocks.push(createHmac('sha256', seed).update(String(i)).digest());
  }
  return (fromHex(Buffer.concat(blocks).toString('hex')) % (SRP_N - 1n)) + 1n;
}

export const toHex = (value: bigint): string => padHex(value);
