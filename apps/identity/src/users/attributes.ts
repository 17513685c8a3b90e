import { CognitoError } from '../errors/cognito-error.js';
import type { Pool } from '../pool/pool.js';
import type { AttributeList } from './user.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isEmail = (value: string): boolean => EMAIL.test(value);

const schemaError = (detail: string) =>
  new CognitoError('InvalidParameterException', `Attributes did not conform to the schema: ${detail}`);

/**
 * Turns `[{Name, Value}]` into a map, checked against the pool's schema with Cognito's messages. `sub` is
 * Cognito's to set; `email_verified` only an administrator may set.
 */
export function readAttributes(
  list: AttributeList | undefined,
  pool: Pool,
  options: { admin: boolean },
): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const { Name, Value } of list ?? []) {
    if (Name === 'sub')
      throw schemaError('sub: Attribute cannot be updated. (changing an immutable attribute)');
    if (!pool.isKnownAttribute(Name))
      throw schemaError(`Type for attribute {${Name}} could not be determined`);
    if (!options.admin && (Name === 'email_verified' || Name === 'phone_number_verified')) {
      throw new CognitoError('NotAuthorizedException', `A client attempted to write unauthorized attribute`);
    }
    if (Name === 'email' && !isEmail(Value))
      throw new CognitoError('InvalidParameterException', 'Invalid email address format.');
    attributes[Name] = Value;
  }
  return attributes;
}

export function assertRequiredAttributes(attributes: Record<string, string>, pool: Pool): void {
  for (const name of pool.definition.requiredAttributes) {
    if (!attributes[name]) throw schemaError(`${name}: The attribute ${name} is required`);
  }
}
