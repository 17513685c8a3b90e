import { z } from 'zod';
import { emailDelivery } from '../../users/user.js';
import { assertSecretHash, requireClient } from '../client-checks.js';
import { attributeList, nonEmpty, opt, parseInput, stringMap } from '../validation.js';
import type { Operation } from './operation.js';

// Unauthenticated user operations: a client id (and SECRET_HASH for a client with a secret) and a username.
const clientCall = {
  ClientId: nonEmpty(),
  SecretHash: opt(z.string()),
  Username: nonEmpty(),
  ClientMetadata: opt(stringMap),
  AnalyticsMetadata: opt(z.object({ AnalyticsEndpointId: opt(z.string()) })),
  UserContextData: opt(z.object({ EncodedData: opt(z.string()), IpAddress: opt(z.string()) })),
};
const code = z
  .string()
  .regex(/^[\S]+$/, 'Member must satisfy regular expression pattern: [\\S]+')
  .max(2048);
const password = z.string().min(1, 'Member must have length greater than or equal to 1').max(256);

const signUpInput = z.object({
  ...clientCall,
  // Optional in Cognito's model since passwordless sign-up; this pool has passwords, so it is required here.
  Password: password,
  UserAttributes: opt(attributeList),
  ValidationData: opt(attributeList),
});
const confirmSignUpInput = z.object({
  ...clientCall,
  ConfirmationCode: code,
  ForceAliasCreation: opt(z.boolean()),
  Session: opt(z.string()),
});
const clientUserInput = z.object(clientCall);
const confirmForgotPasswordInput = z.object({ ...clientCall, ConfirmationCode: code, Password: password });

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
  const email = user.attributes.email;
  return {
    UserConfirmed: confirmed,
    UserSub: user.sub,
    ...(!confirmed && email ? { CodeDeliveryDetails: emailDelivery(email) } : {}),
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
  const input = parseInput(clientUserInput, raw);
  const client = requireClient(context.pool, input.ClientId);
  assertSecretHash(client, input.SecretHash, [input.Username]);
  const sent = await context.accounts.resendConfirmationCode(input.Username);
  return { CodeDeliveryDetails: emailDelivery(sent.email) };
};

const forgotPassword: Operation = async (raw, context) => {
  const input = parseInput(clientUserInput, raw);
  const client = requireClient(context.pool, input.ClientId);
  assertSecretHash(client, input.SecretHash, [input.Username]);
  const sent = await context.passwords.forgot(input.Username);
  return { CodeDeliveryDetails: emailDelivery(sent.email) };
};

const confirmForgotPassword: Operation = async (raw, context) => {
  const input = parseInput(confirmForgotPasswordInput, raw);
  const client = requireClient(context.pool, input.ClientId);
  assertSecretHash(client, input.SecretHash, [input.Username]);
  await context.passwords.confirmForgot({
    clientId: client.clientId,
    username: input.Username,
    code: input.ConfirmationCode,
    password: input.Password,
    ...(input.ClientMetadata ? { clientMetadata: input.ClientMetadata } : {}),
  });
  return {};
};

export const signUpOperations: Record<string, Operation> = {
  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  ResendConfirmationCode: resendConfirmationCode,
  ForgotPassword: forgotPassword,
  ConfirmForgotPassword: confirmForgotPassword,
};
