import { z } from 'zod';
import type { IdentityContext } from '../../context.js';
import { CognitoError } from '../../errors/cognito-error.js';
import { emailDelivery, toAttributeList, type UserRecord } from '../../users/user.js';
import { attributeList, opt, parseInput, stringMap } from '../validation.js';
import type { Operation } from './operation.js';

// What a signed-in user does with their access token (scope aws.cognito.signin.user.admin).
const accessToken = z.string().min(1);
const tokenOnly = z.object({ AccessToken: accessToken });
const changePasswordInput = z.object({
  AccessToken: accessToken,
  PreviousPassword: opt(z.string().min(1).max(256)),
  ProposedPassword: z.string().min(1).max(256),
});
const updateAttributesInput = z.object({
  AccessToken: accessToken,
  UserAttributes: attributeList,
  ClientMetadata: opt(stringMap),
});
const deleteAttributesInput = z.object({
  AccessToken: accessToken,
  UserAttributeNames: z.array(z.string().min(1)),
});
const verificationCodeInput = z.object({
  AccessToken: accessToken,
  AttributeName: z.string().min(1).max(32),
  ClientMetadata: opt(stringMap),
});
const verifyAttributeInput = z.object({
  AccessToken: accessToken,
  AttributeName: z.string().min(1).max(32),
  Code: z.string().regex(/^[\S]+$/, 'Member must satisfy regular expression pattern: [\\S]+'),
});

/** The user behind an access token, for the operations a signed-in user calls with it. */
export async function userOfAccessToken(context: IdentityContext, token: string): Promise<UserRecord> {
  const check = await context.accessTokens.verify(token);
  if (!check.ok) {
    const messages = {
      invalid: 'Invalid Access Token',
      expired: 'Access Token has expired',
      revoked: 'Access Token has been revoked',
    };
    throw new CognitoError('NotAuthorizedException', messages[check.problem]);
  }
  if (!(check.claims.scope ?? '').split(' ').includes('aws.cognito.signin.user.admin')) {
    throw new CognitoError('NotAuthorizedException', 'Access Token does not have required scopes');
  }
  return check.user;
}

const getUser: Operation = async (raw, context) => {
  const user = await userOfAccessToken(context, parseInput(tokenOnly, raw).AccessToken);
  return { Username: user.username, UserAttributes: toAttributeList(user.attributes) };
};

const globalSignOut: Operation = async (raw, context) => {
  const user = await userOfAccessToken(context, parseInput(tokenOnly, raw).AccessToken);
  await context.sessions.signOutEverywhere(user);
  return {};
};

const changePassword: Operation = async (raw, context) => {
  const input = parseInput(changePasswordInput, raw);
  const user = await userOfAccessToken(context, input.AccessToken);
  await context.passwords.change(user, input.PreviousPassword, input.ProposedPassword);
  return {};
};

const updateUserAttributes: Operation = async (raw, context) => {
  const input = parseInput(updateAttributesInput, raw);
  const user = await userOfAccessToken(context, input.AccessToken);
  const sentTo = await context.profile.updateAttributes(user, input.UserAttributes, { admin: false });
  return { CodeDeliveryDetailsList: sentTo.map((email) => emailDelivery(email)) };
};

const deleteUserAttributes: Operation = async (raw, context) => {
  const input = parseInput(deleteAttributesInput, raw);
  const user = await userOfAccessToken(context, input.AccessToken);
  await context.profile.deleteAttributes(user, input.UserAttributeNames);
  return {};
};

const getUserAttributeVerificationCode: Operation = async (raw, context) => {
  const input = parseInput(verificationCodeInput, raw);
  const user = await userOfAccessToken(context, input.AccessToken);
  const sentTo = await context.profile.sendVerificationCode(user, input.AttributeName);
  return { CodeDeliveryDetails: emailDelivery(sentTo, input.AttributeName) };
};

const verifyUserAttribute: Operation = async (raw, context) => {
  const input = parseInput(verifyAttributeInput, raw);
  const user = await userOfAccessToken(context, input.AccessToken);
  await context.profile.verifyAttribute(user, input.AttributeName, input.Code);
  return {};
};

const deleteUser: Operation = async (raw, context) => {
  const user = await userOfAccessToken(context, parseInput(tokenOnly, raw).AccessToken);
  await context.profile.deleteUser(user);
  return {};
};

export const selfServiceOperations: Record<string, Operation> = {
  GetUser: getUser,
  GlobalSignOut: globalSignOut,
  ChangePassword: changePassword,
  UpdateUserAttributes: updateUserAttributes,
  DeleteUserAttributes: deleteUserAttributes,
  GetUserAttributeVerificationCode: getUserAttributeVerificationCode,
  VerifyUserAttribute: verifyUserAttribute,
  DeleteUser: deleteUser,
};
