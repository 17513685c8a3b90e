import { z } from 'zod';
import { CognitoError } from '../errors/cognito-error.js';

/**
 * Validates an operation's input, answering like Cognito: `InvalidParameterException` with
 * "N validation error(s) detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null".
 * A required member sent as JSON `null` is missing, as Cognito reads it; an optional one is absent (`opt`).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const member = path
      .map((part, i) => (i === 0 ? part.charAt(0).toLowerCase() + part.slice(1) : part))
      .join('.');
    const missing = issue.code === 'invalid_type' && (issue.input === undefined || issue.input === null);
    return missing
      ? `Value null at '${member}' failed to satisfy constraint: Member must not be null`
      : `Value at '${member}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = problems.length;
  throw new CognitoError(
    'InvalidParameterException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
  );
}

/**
 * A member Cognito's model marks optional: absent, or JSON `null` (which the client libraries send, e.g.
 * amazon-cognito-identity-js's `signUp(…, null, cb)` sends `"ValidationData": null`), both read as absent.
 */
export const opt = <S extends z.ZodType>(schema: S) =>
  schema
    .nullish()
    .transform((value): z.output<S> | undefined => (value === null ? undefined : (value as z.output<S>)));

/** Cognito's AttributeType: `Name` required, `Value` optional (absent reads as the empty string). */
export const attributeList = z.array(
  z.object({
    Name: z.string().min(1).max(32),
    Value: opt(z.string().max(2048)).transform((value) => value ?? ''),
  }),
);
/** A string map (`AuthParameters`, `ClientMetadata`…); an entry whose value is `null` is left out. */
export const stringMap = z
  .record(z.string(), z.string().nullable())
  .transform((map): Record<string, string> =>
    Object.fromEntries(Object.entries(map).filter((entry): entry is [string, string] => entry[1] !== null)),
  );
export const nonEmpty = (max = 128) =>
  z.string().min(1, 'Member must have length greater than or equal to 1').max(max);

/** A required entry of an `AuthParameters`/`ChallengeResponses` map. */
export function requireParameter(parameters: Record<string, string> | undefined, name: string): string {
  const value = parameters?.[name];
  if (!value) throw new CognitoError('InvalidParameterException', `Missing required parameter ${name}`);
  return value;
}
