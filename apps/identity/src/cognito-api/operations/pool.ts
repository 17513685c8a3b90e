import { z } from 'zod';
import type { IdentityContext } from '../../context.js';
import { CognitoError } from '../../errors/cognito-error.js';
import type { AppClient, PoolDefinition } from '../../pool/pool-definition.js';
import { MAX_LIST_LIMIT, pageOf } from '../../users/list-users.js';
import { describeUser } from '../../users/user.js';
import { requirePool } from '../client-checks.js';
import { nonEmpty, opt, parseInput } from '../validation.js';
import type { Operation } from './operation.js';

// The pool's own description (groups, the pool, its clients) comes from pool.json; as the Admin* operations,
// these are IAM-signed on AWS and not authenticated here.
const ACCOUNT = '000000000000';
const limit = opt(
  z
    .number()
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT, `Member must have value less than or equal to ${MAX_LIST_LIMIT}`),
);
const listGroupsInput = z.object({
  UserPoolId: nonEmpty(55),
  Limit: limit,
  NextToken: opt(z.string().min(1)),
});
const groupInput = z.object({ UserPoolId: nonEmpty(55), GroupName: nonEmpty() });
const usersInGroupInput = groupInput.extend({ Limit: limit, NextToken: opt(z.string().min(1)) });
const poolInput = z.object({ UserPoolId: nonEmpty(55) });
const clientInput = poolInput.extend({ ClientId: nonEmpty() });

const seconds = (epochMs: number) => epochMs / 1000;

/** Cognito's GroupType: the dates are the pool's creation, as the groups come with it. */
export function describeGroup(context: IdentityContext, group: PoolDefinition['groups'][number]) {
  return {
    GroupName: group.name,
    UserPoolId: context.pool.id,
    Description: group.description,
    Precedence: group.precedence,
    CreationDate: seconds(context.poolCreatedAt),
    LastModifiedDate: seconds(context.poolCreatedAt),
  };
}

function findGroup(context: IdentityContext, name: string) {
  const group = context.pool.definition.groups.find((g) => g.name === name);
  if (!group) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  return group;
}

const listGroups: Operation = async (raw, context) => {
  const input = parseInput(listGroupsInput, raw);
  requirePool(context.pool, input.UserPoolId);
  const groups = [...context.pool.definition.groups].sort((a, b) => a.name.localeCompare(b.name));
  const page = pageOf(groups, input.Limit, input.NextToken);
  return {
    Groups: page.items.map((group) => describeGroup(context, group)),
    ...(page.next ? { NextToken: page.next } : {}),
  };
};

const getGroup: Operation = async (raw, context) => {
  const input = parseInput(groupInput, raw);
  requirePool(context.pool, input.UserPoolId);
  return { Group: describeGroup(context, findGroup(context, input.GroupName)) };
};

const listUsersInGroup: Operation = async (raw, context) => {
  const input = parseInput(usersInGroupInput, raw);
  requirePool(context.pool, input.UserPoolId);
  const page = pageOf(context.userAdmin.membersOf(input.GroupName), input.Limit, input.NextToken);
  return {
    Users: page.items.map((user) => describeUser(user, 'Attributes')),
    ...(page.next ? { NextToken: page.next } : {}),
  };
};

const describeUserPool: Operation = async (raw, context) => {
  const input = parseInput(poolInput, raw);
  requirePool(context.pool, input.UserPoolId);
  const { pool } = context;
  const definition = pool.definition;
  const policy = definition.passwordPolicy;
  const created = seconds(context.poolCreatedAt);
  return {
    UserPool: {
      Id: pool.id,
      Name: definition.poolName,
      Arn: `arn:aws:cognito-idp:${pool.region}:${ACCOUNT}:userpool/${pool.id}`,
      Policies: {
        PasswordPolicy: {
          MinimumLength: policy.minimumLength,
          RequireUppercase: policy.requireUppercase,
          RequireLowercase: policy.requireLowercase,
          RequireNumbers: policy.requireNumbers,
          RequireSymbols: policy.requireSymbols,
          TemporaryPasswordValidityDays: policy.temporaryPasswordValidityDays,
        },
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
      },
      DeletionProtection: 'INACTIVE',
      LambdaConfig: lambdaConfig(context),
      CreationDate: created,
      LastModifiedDate: created,
      SchemaAttributes: schemaAttributes(definition),
      AutoVerifiedAttributes: definition.autoVerifiedAttributes,
      UsernameAttributes: definition.usernameAttributes,
      UsernameConfiguration: { CaseSensitive: false },
      VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
      MfaConfiguration: 'OFF',
      EstimatedNumberOfUsers: context.users.size,
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: false,
        UnusedAccountValidityDays: policy.temporaryPasswordValidityDays,
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Priority: 1, Name: 'verified_email' }] },
      UserPoolTags: {},
      UserPoolTier: 'ESSENTIALS',
    },
  };
};

const describeUserPoolClient: Operation = async (raw, context) => {
  const input = parseInput(clientInput, raw);
  requirePool(context.pool, input.UserPoolId);
  const client = context.pool.client(input.ClientId);
  if (!client) {
    throw new CognitoError('ResourceNotFoundException', `User pool client ${input.ClientId} does not exist.`);
  }
  return { UserPoolClient: describeClient(context, client) };
};

function describeClient(context: IdentityContext, client: AppClient) {
  const created = seconds(context.poolCreatedAt);
  const ttl = context.tokenTtl;
  return {
    UserPoolId: context.pool.id,
    ClientName: client.clientName,
    ClientId: client.clientId,
    ...(client.clientSecret ? { ClientSecret: client.clientSecret } : {}),
    CreationDate: created,
    LastModifiedDate: created,
    RefreshTokenValidity: ttl.refreshSeconds,
    AccessTokenValidity: ttl.accessSeconds,
    IdTokenValidity: ttl.idSeconds,
    TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds', RefreshToken: 'seconds' },
    ExplicitAuthFlows: client.explicitAuthFlows,
    SupportedIdentityProviders: ['COGNITO'],
    CallbackURLs: client.callbackUrls,
    LogoutURLs: client.logoutUrls,
    AllowedOAuthFlows: client.allowedOAuthFlows,
    AllowedOAuthScopes: client.allowedOAuthScopes,
    AllowedOAuthFlowsUserPoolClient: client.allowedOAuthFlows.length > 0,
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 3,
  };
}

function lambdaConfig(context: IdentityContext) {
  const { triggers } = context.pool.definition;
  const arn = (name: string) => `arn:aws:lambda:${context.pool.region}:${ACCOUNT}:function:${name}`;
  return {
    ...(triggers.preSignUp ? { PreSignUp: arn(triggers.preSignUp) } : {}),
    ...(triggers.postConfirmation ? { PostConfirmation: arn(triggers.postConfirmation) } : {}),
    ...(triggers.preTokenGeneration
      ? {
          PreTokenGeneration: arn(triggers.preTokenGeneration),
          PreTokenGenerationConfig: {
            LambdaVersion: triggers.preTokenGenerationVersion,
            LambdaArn: arn(triggers.preTokenGeneration),
          },
        }
      : {}),
  };
}

const TYPES: Record<string, 'Boolean' | 'Number'> = {
  email_verified: 'Boolean',
  phone_number_verified: 'Boolean',
  updated_at: 'Number',
};

function schemaAttributes(definition: PoolDefinition) {
  const standard = [
    'sub',
    'name',
    'given_name',
    'family_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'email',
    'email_verified',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'phone_number',
    'phone_number_verified',
    'address',
    'updated_at',
  ];
  const names = [...standard, ...definition.customAttributes.map((name) => `custom:${name}`)];
  return names.map((name) => {
    const type = TYPES[name] ?? 'String';
    return {
      Name: name,
      AttributeDataType: type,
      DeveloperOnlyAttribute: false,
      Mutable: name !== 'sub',
      Required: name === 'sub' || definition.requiredAttributes.includes(name),
      ...(type === 'String'
        ? { StringAttributeConstraints: { MinLength: name === 'sub' ? '1' : '0', MaxLength: '2048' } }
        : type === 'Number'
          ? { NumberAttributeConstraints: { MinValue: '0' } }
          : {}),
    };
  });
}

export const poolOperations: Record<string, Operation> = {
  ListGroups: listGroups,
  GetGroup: getGroup,
  ListUsersInGroup: listUsersInGroup,
  DescribeUserPool: describeUserPool,
  DescribeUserPoolClient: describeUserPoolClient,
};
