import { z } from 'zod';
import { maskEmail } from '../../users/user.js';
import { assertSecretHash, requireClient } from '../client-checks.js';
import { attributeList, nonEmpty, parseInput, stringMap } from '../validation.js';
import type { Operation } from './operation.js';

const signUpInput = z.object({
  ClientId: nonEmpty(),
  SecretHash: z.string().optional(),
  Username: nonEmpty(),
  Password: z.string().min(1, 'Member must have length greater than or equal to 1'),
  UserAttributes: attributeList.optional(),
  ValidationData: attributeList.optional(),
  ClientMetadata: stringMap.optional(),
});

const confirmSignUpInput = z.object({
  ClientId: nonEmpty(),
  SecretHash: z.string().optional(),
  Username: nonEmpty(),
  ConfirmationCode: z
    .string()
    .regex(/^[\S]+$/, 'Member must satisfy regular expression pattern: [\\S]+')
    .max(2048),
  ForceAliasCreation: z.boolean().optional(),
  ClientMetadata: stringMap.optional(),
});

const resendInput = z.object({
  ClientId: nonEmpty(),
  SecretHash: z.string().optional(),
  Username: nonEmpty(),
  ClientMetadata: stringMap.optional(),
});

const codeDelivery = (email: string | undefined) =>
  email
    ? {
        CodeDeliveryDetails: {
          Destination: maskEmail(email),
          DeliveryMedium: 'EMAIL',
          AttributeName: 'email',
        },
      }
    : {};

const signUp: Operation = async (raw, context) => {
  const input = parseInput(signUpInput, raw);
  const client = requireClient(context.pool, input.ClientId);
  assertSecretHash(client, input.SecretHash, [input.Username]);
  const user = await context.accounts.signUp({
    clientId: client.clientId,
    username: input.Username,
    password: input.Password,
    ...(input.UserAttributes ? { attributes: input.UserAttributes } : {}),
    ...(input.ValidationData ? { validationData: input.ValidationData } : {}),
    ...(input.ClientMetadata ? { clientMetadata: input.ClientMetadata } : {}),
  });
  const confirmed = user.status === 'CONFIRMED';
  return {
    UserConfirmed: confirmed,
    UserSub: user.sub,
    ...(confirmed ? {} : codeDelivery(user.attributes.email)),
  };
};

const confirmSignUp: Operation = async (raw, context) => {
  const input = parseInput(confirmSignUpInput, raw);
  const client = requireClient(context.pool, input.ClientId);
  assertSecretHash(client, input.SecretHash, [input.Username]);
  await context.accounts.confirmSignUp({
    clientId: client.clientId,
    username: input.Username,
    code: input.ConfirmationCode,
    ...(input.ClientMetadata ? { clientMetadata: input.ClientMetadata } : {}),
  });
  return {};
};

const resendConfirmationCode: Operation = async (raw, context) => {
  const input = parseInput(resendInput, raw);
  const client = requireClient(context.pool, input.ClientId);
  assertSecretHash(client, input.SecretHash, [input.Username]);
  const user = await context.accounts.resendConfirmationCode(input.Username);
  return codeDelivery(user.attributes.email);
};

export const signUpOperations: Record<string, Operation> = {
  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  ResendConfirmationCode: resendConfirmationCode,
};
