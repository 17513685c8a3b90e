import { z } from 'zod';
import { describeUser, toAttributeList } from '../../users/user.js';
import { listUsers, MAX_LIST_LIMIT } from '../../users/list-users.js';
import { requirePool } from '../client-checks.js';
import { attributeList, nonEmpty, opt, parseInput, stringMap } from '../validation.js';
import { describeGroup } from './pool.js';
import type { Operation } from './operation.js';

// Admin* operations are signed with IAM credentials on AWS; the local provider does not check SigV4.
const poolUser = z.object({ UserPoolId: nonEmpty(55), Username: nonEmpty() });
const poolUserGroup = poolUser.extend({ GroupName: nonEmpty() });
const withMetadata = poolUser.extend({ ClientMetadata: opt(stringMap) });

const createUserInput = poolUser.extend({
  UserAttributes: opt(attributeList),
  ValidationData: opt(attributeList),
  TemporaryPassword: opt(z.string()),
  ForceAliasCreation: opt(z.boolean()),
  MessageAction: opt(z.enum(['RESEND', 'SUPPRESS'])),
  DesiredDeliveryMediums: opt(z.array(z.enum(['SMS', 'EMAIL']))),
  ClientMetadata: opt(stringMap),
});
const setPasswordInput = poolUser.extend({ Password: z.string().min(1), Permanent: opt(z.boolean()) });
const updateAttributesInput = withMetadata.extend({ UserAttributes: attributeList });
const deleteAttributesInput = poolUser.extend({ UserAttributeNames: z.array(z.string().min(1)) });
const listUsersInput = z.object({
  UserPoolId: nonEmpty(55),
  AttributesToGet: opt(z.array(z.string())),
  Limit: opt(
    z
      .number()
      .int()
      .min(0)
      .max(MAX_LIST_LIMIT, `Member must have value less than or equal to ${MAX_LIST_LIMIT}`),
  ),
  PaginationToken: opt(z.string().min(1)),
  Filter: opt(z.string().max(256)),
});

const adminCreateUser: Operation = async (raw, context) => {
  const input = parseInput(createUserInput, raw);
  requirePool(context.pool, input.UserPoolId);
  const user = await context.userAdmin.createUser({
    username: input.Username,
    ...(input.UserAttributes ? { attributes: input.UserAttributes } : {}),
    ...(input.TemporaryPassword ? { temporaryPassword: input.TemporaryPassword } : {}),
    ...(input.MessageAction ? { messageAction: input.MessageAction } : {}),
    ...(input.ClientMetadata ? { clientMetadata: input.ClientMetadata } : {}),
  });
  return { User: describeUser(user, 'Attributes') };
};

const adminConfirmSignUp: Operation = async (raw, context) => {
  const input = parseInput(withMetadata, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.confirmSignUp(input.Username, input.ClientMetadata);
  return {};
};

const adminSetUserPassword: Operation = async (raw, context) => {
  const input = parseInput(setPasswordInput, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.setPassword(input.Username, input.Password, input.Permanent ?? false);
  return {};
};

const adminResetUserPassword: Operation = async (raw, context) => {
  const input = parseInput(withMetadata, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.resetPassword(input.Username);
  return {};
};

const adminAddUserToGroup: Operation = async (raw, context) => {
  const input = parseInput(poolUserGroup, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.addToGroup(input.Username, input.GroupName);
  return {};
};

const adminRemoveUserFromGroup: Operation = async (raw, context) => {
  const input = parseInput(poolUserGroup, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.removeFromGroup(input.Username, input.GroupName);
  return {};
};

const adminGetUser: Operation = async (raw, context) => {
  const input = parseInput(poolUser, raw);
  requirePool(context.pool, input.UserPoolId);
  return describeUser(context.userAdmin.get(input.Username), 'UserAttributes');
};

const adminListGroupsForUser: Operation = async (raw, context) => {
  const input = parseInput(
    poolUser.extend({ Limit: opt(z.number().int().min(0).max(MAX_LIST_LIMIT)), NextToken: opt(z.string()) }),
    raw,
  );
  requirePool(context.pool, input.UserPoolId);
  const user = context.userAdmin.get(input.Username);
  const groups = context.pool.definition.groups.filter((group) => user.groups.includes(group.name));
  return { Groups: groups.map((group) => describeGroup(context, group)) };
};

const adminUserGlobalSignOut: Operation = async (raw, context) => {
  const input = parseInput(poolUser, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.sessions.signOutEverywhere(context.userAdmin.get(input.Username));
  return {};
};

const adminDeleteUser: Operation = async (raw, context) => {
  const input = parseInput(poolUser, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.delete(input.Username);
  return {};
};

const adminDisableUser: Operation = async (raw, context) => {
  const input = parseInput(poolUser, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.disable(input.Username);
  return {};
};

const adminEnableUser: Operation = async (raw, context) => {
  const input = parseInput(poolUser, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.enable(input.Username);
  return {};
};

const adminUpdateUserAttributes: Operation = async (raw, context) => {
  const input = parseInput(updateAttributesInput, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.updateAttributes(input.Username, input.UserAttributes);
  return {};
};

const adminDeleteUserAttributes: Operation = async (raw, context) => {
  const input = parseInput(deleteAttributesInput, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.userAdmin.deleteAttributes(input.Username, input.UserAttributeNames);
  return {};
};

const listUsersOperation: Operation = async (raw, context) => {
  const input = parseInput(listUsersInput, raw);
  requirePool(context.pool, input.UserPoolId);
  const page = listUsers(context.users.all(), {
    ...(input.Filter ? { filter: input.Filter } : {}),
    ...(input.Limit ? { limit: input.Limit } : {}),
    ...(input.PaginationToken ? { paginationToken: input.PaginationToken } : {}),
  });
  const wanted = input.AttributesToGet ? new Set(input.AttributesToGet) : undefined;
  return {
    Users: page.users.map((user) => {
      const described = describeUser(user, 'Attributes');
      if (!wanted) return described;
      const attributes = Object.fromEntries(
        Object.entries(user.attributes).filter(([name]) => wanted.has(name)),
      );
      return { ...described, Attributes: toAttributeList(attributes) };
    }),
    ...(page.paginationToken ? { PaginationToken: page.paginationToken } : {}),
  };
};

export const adminOperations: Record<string, Operation> = {
  AdminCreateUser: adminCreateUser,
  AdminConfirmSignUp: adminConfirmSignUp,
  AdminSetUserPassword: adminSetUserPassword,
  AdminResetUserPassword: adminResetUserPassword,
  AdminAddUserToGroup: adminAddUserToGroup,
  AdminRemoveUserFromGroup: adminRemoveUserFromGroup,
  AdminGetUser: adminGetUser,
  AdminListGroupsForUser: adminListGroupsForUser,
  AdminUserGlobalSignOut: adminUserGlobalSignOut,
  AdminDeleteUser: adminDeleteUser,
  AdminDisableUser: adminDisableUser,
  AdminEnableUser: adminEnableUser,
  AdminUpdateUserAttributes: adminUpdateUserAttributes,
  AdminDeleteUserAttributes: adminDeleteUserAttributes,
  ListUsers: listUsersOperation,
};
