import { CognitoError } from '../errors/cognito-error.js';
import type { PasswordPolicy } from '../pool/pool-definition.js';

// The characters Cognito counts as symbols.
const SYMBOL = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;
const MAX_LENGTH = 256;

/** Throws Cognito's InvalidPasswordException (same messages) when `password` breaks the pool's policy. */
export function assertPasswordPolicy(password: string, policy: PasswordPolicy): void {
  if (password.length > MAX_LENGTH || /^\s|\s$/.test(password)) {
    throw new CognitoError(
      'InvalidParameterException',
      "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
    );
  }
  const broken = (reason: string) =>
    new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${reason}`);
  if (password.length < policy.minimumLength) throw broken('Password not long enough');
  if (policy.requireUppercase && !/[A-Z]/.test(password))
    throw broken('Password must have uppercase characters');
  if (policy.requireLowercase && !/[a-z]/.test(password))
    throw broken('Password must have lowercase characters');
  if (policy.requireNumbers && !/[0-9]/.test(password)) throw broken('Password must have numeric characters');
  if (policy.requireSymbols && !SYMBOL.test(password)) throw broken('Password must have symbol characters');
}
