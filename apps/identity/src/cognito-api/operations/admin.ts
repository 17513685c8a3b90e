import { z } from 'zod';
import { describeUser, toAttributeList } from '../../users/user.js';
import { listUsers, MAX_LIST_LIMIT } from '../../users/list-users.js';
import { requirePool } from '../client-checks.js';
import { attributeList, nonEmpty, parseInput, stringMap } from '../validation.js';
import type { Operation } from './operation.js';

// Admin* operations are signed with IAM credentials on AWS; the local provider does not check SigV4.
const poolUser = z.object({ UserPoolId: nonEmpty(55), Username: nonEmpty() });
const poolUserGroup = poolUser.extend({ GroupName: nonEmpty() });

const createUserInput = poolUser.extend({
  UserAttributes: attributeList.optional(),
  ValidationData: attributeList.optional(),
  TemporaryPassword: z.string().optional(),
  ForceAliasCreation: z.boolean().optional(),
  MessageAction: z.enum(['RESEND', 'SUPPRESS']).optional(),
  DesiredDeliveryMediums: z.array(z.enum(['SMS', 'EMAIL'])).optional(),
  ClientMetadata: stringMap.optional(),
});
const confirmInput = poolUser.extend({ ClientMetadata: stringMap.optional() });
const setPasswordInput = poolUser.extend({ Password: z.string().min(1), Permanent: z.boolean().optional() });
const listUsersInput = z.object({
  UserPoolId: nonEmpty(55),
  AttributesToGet: z.array(z.string()).optional(),
  Limit: z
    .number()
    .int()
    .min(0)
    .max(MAX_LIST_LIMIT, `Member must have value less than or equal to ${MAX_LIST_LIMIT}`)
    .optional(),
  PaginationToken: z.string().min(1).optional(),
  Filter: z.string().max(256).optional(),
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
  const input = parseInput(confirmInput, raw);
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
  const input = parseInput(poolUser, raw);
  requirePool(context.pool, input.UserPoolId);
  const user = context.userAdmin.get(input.Username);
  const groups = context.pool.definition.groups.filter((group) => user.groups.includes(group.name));
  return {
    Groups: groups.map((group) => ({
      GroupName: group.name,
      UserPoolId: context.pool.id,
      Description: group.description,
      Precedence: group.precedence,
    })),
  };
};

const adminUserGlobalSignOut: Operation = async (raw, context) => {
  const input = parseInput(poolUser, raw);
  requirePool(context.pool, input.UserPoolId);
  await context.accounts.globalSignOut(context.userAdmin.get(input.Username));
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
  AdminAddUserToGroup: adminAddUserToGroup,
  AdminRemoveUserFromGroup: adminRemoveUserFromGroup,
  AdminGetUser: adminGetUser,
  AdminListGroupsForUser: adminListGroupsForUser,
  AdminUserGlobalSignOut: adminUserGlobalSignOut,
  ListUsers: listUsersOperation,
};
