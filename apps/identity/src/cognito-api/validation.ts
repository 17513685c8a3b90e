import { z } from 'zod';
import { CognitoError } from '../errors/cognito-error.js';

/**
 * Validates an operation's input, answering like Cognito: `InvalidParameterException` with
 * "N validation error(s) detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null".
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const member = path
      .map((part, i) => (i === 0 ? part.charAt(0).toLowerCase() + part.slice(1) : part))
      .join('.');
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
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

export const attributeList = z.array(
  z.object({ Name: z.string().min(1).max(32), Value: z.string().max(2048) }),
);
export const stringMap = z.record(z.string(), z.string());
export const nonEmpty = (max = 128) =>
  z.string().min(1, 'Member must have length greater than or equal to 1').max(max);

/** A required entry of an `AuthParameters`/`ChallengeResponses` map. */
export function requireParameter(parameters: Record<string, string> | undefined, name: string): string {
  const value = parameters?.[name];
  if (!value) throw new CognitoError('InvalidParameterException', `Missing required parameter ${name}`);
  return value;
}
