import { createHmac } from 'node:crypto';
import * as cognitoJs from 'amazon-cognito-identity-js';

/**
 * The client half of USER_SRP_AUTH computed by amazon-cognito-identity-js's own AuthenticationHelper (A, the
 * HKDF key), for tests that must send what the library never would: a stale TIMESTAMP, a SECRET_BLOCK of
 * another session. The signature is HMAC-SHA256(key, poolName | USER_ID_FOR_SRP | SECRET_BLOCK | TIMESTAMP).
 */
interface BigIntegerLike {
  toString(radix: number): string;
}
interface Helper {
  N: { constructor: new (hex: string, radix: number) => BigIntegerLike };
  getLargeAValue(callback: (error: unknown, a: BigIntegerLike) => void): void;
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: BigIntegerLike,
    salt: BigIntegerLike,
    callback: (error: unknown, key: Buffer) => void,
  ): void;
}
const { AuthenticationHelper } = cognitoJs as unknown as {
  AuthenticationHelper: new (poolName: string) => Helper;
};

export const SRP_POOL_NAME = 'helplinelocal';

export class SrpClient {
  private readonly helper = new AuthenticationHelper(SRP_POOL_NAME);

  srpA(): Promise<string> {
    return new Promise((resolve) => this.helper.getLargeAValue((_error, a) => resolve(a.toString(16))));
  }

  /** PASSWORD_CLAIM_SIGNATURE for a challenge, as the library computes it, over any TIMESTAMP and SECRET_BLOCK. */
  async signature(
    challenge: { SRP_B: string; SALT: string; USER_ID_FOR_SRP: string },
    password: string,
    secretBlock: string,
    timestamp: string,
  ): Promise<string> {
    const BigInteger = this.helper.N.constructor;
    const key = await new Promise<Buffer>((resolve) =>
      this.helper.getPasswordAuthenticationKey(
        challenge.USER_ID_FOR_SRP,
        password,
        new BigInteger(challenge.SRP_B, 16),
        new BigInteger(challenge.SALT, 16),
        (_error, hkdf) => resolve(hkdf),
      ),
    );
    return createHmac('sha256', key)
      .update(
        Buffer.concat([
          Buffer.from(SRP_POOL_NAME, 'utf8'),
          Buffer.from(challenge.USER_ID_FOR_SRP, 'utf8'),
          Buffer.from(secretBlock, 'base64'),
          Buffer.from(timestamp, 'utf8'),
        ]),
      )
      .digest('base64');
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `ddd MMM D HH:mm:ss UTC YYYY`, as amazon-cognito-identity-js's DateHelper writes it (for any instant). */
export function srpTimestamp(epochMs: number, options: { padDay?: boolean } = {}): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const day = options.padDay ? two(d.getUTCDate()) : String(d.getUTCDate());
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
