import { z } from 'zod';
import type { IdentityContext } from '../../context.js';
import { CognitoError } from '../../errors/cognito-error.js';
import type { UserTokens } from '../../tokens/token-service.js';
import type { UserRecord } from '../../users/user.js';
import type { ChallengeSessions } from '../challenge-sessions.js';
import { assertAuthFlow, assertSecretHash, requireClient } from '../client-checks.js';
import { nonEmpty, parseInput, requireParameter, stringMap } from '../validation.js';
import type { Operation } from './operation.js';

/** The scope of tokens from the JSON API: the user may call Cognito's user operations with them. */
const API_SCOPES = ['aws.cognito.signin.user.admin'];

const AUTH_FLOWS = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
] as const;

const initiateAuthInput = z.object({
  AuthFlow: z.enum(AUTH_FLOWS, { message: `Member must satisfy enum value set: [${AUTH_FLOWS.join(', ')}]` }),
  ClientId: nonEmpty(),
  AuthParameters: stringMap.optional(),
  ClientMetadata: stringMap.optional(),
});

const respondInput = z.object({
  ClientId: nonEmpty(),
  ChallengeName: z.string(),
  Session: z.string().optional(),
  ChallengeResponses: stringMap.optional(),
});

const accessTokenInput = z.object({ AccessToken: z.string().min(1) });

const authenticationResult = (tokens: UserTokens) => ({
  AuthenticationResult: {
    AccessToken: tokens.accessToken,
    ExpiresIn: tokens.expiresIn,
    TokenType: 'Bearer',
    ...(tokens.refreshToken ? { RefreshToken: tokens.refreshToken } : {}),
    IdToken: tokens.idToken,
  },
  ChallengeParameters: {},
});

export function authenticationOperations(challenges: ChallengeSessions): Record<string, Operation> {
  const initiateAuth: Operation = async (raw, context) => {
    const input = parseInput(initiateAuthInput, raw);
    const client = requireClient(context.pool, input.ClientId);
    const parameters = input.AuthParameters;
    if (input.AuthFlow === 'USER_PASSWORD_AUTH') {
      assertAuthFlow(client, 'ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH');
      const username = requireParameter(parameters, 'USERNAME');
      const password = requireParameter(parameters, 'PASSWORD');
      assertSecretHash(client, parameters?.SECRET_HASH, [username]);
      const user = await context.accounts.authenticate(username, password);
      if (user.status === 'FORCE_CHANGE_PASSWORD')
        return newPasswordChallenge(user, challenges.start(user.username, client.clientId));
      return authenticationResult(
        await signIn(context, user, client.clientId, 'TokenGeneration_Authentication'),
      );
    }
    if (input.AuthFlow === 'REFRESH_TOKEN_AUTH' || input.AuthFlow === 'REFRESH_TOKEN') {
      assertAuthFlow(client, 'ALLOW_REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN_AUTH');
      const token = requireParameter(parameters, 'REFRESH_TOKEN');
      const session = context.refreshTokens.find(token);
      if (!session || session.clientId !== client.clientId) throw notAuthorized('Invalid Refresh Token');
      const user = context.users.bySub(session.sub);
      if (!user) throw notAuthorized('Invalid Refresh Token');
      // The hash is over the user's Cognito username (the sub, in a pool that signs in by email), not the email.
      assertSecretHash(client, parameters?.SECRET_HASH, [user.username]);
      if (session.revokedAt !== null) throw notAuthorized('Refresh Token has been revoked');
      if (context.refreshTokens.isExpired(session)) throw notAuthorized('Refresh Token has expired');
      if (!user.enabled) throw notAuthorized('User is disabled.');
      return authenticationResult(await context.tokens.refreshSession(session, user));
    }
    throw new CognitoError(
      'InvalidParameterException',
      `${input.AuthFlow} is not supported by the local identity provider: use USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH`,
    );
  };

  const respondToAuthChallenge: Operation = async (raw, context) => {
    const input = parseInput(respondInput, raw);
    const client = requireClient(context.pool, input.ClientId);
    if (input.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
      throw new CognitoError(
        'InvalidParameterException',
        `${input.ChallengeName} is not supported by the local identity provider`,
      );
    }
    const responses = input.ChallengeResponses;
    const username = requireParameter(responses, 'USERNAME');
    const password = requireParameter(responses, 'NEW_PASSWORD');
    assertSecretHash(client, responses?.SECRET_HASH, [username]);
    const session = input.Session ? challenges.take(input.Session, client.clientId) : undefined;
    const user = session ? context.accounts.find(session.username) : undefined;
    if (!session || !user || context.accounts.find(username) !== user) {
      throw notAuthorized('Invalid session for the user, session is expired.');
    }
    await context.accounts.completeNewPassword(user, password);
    return authenticationResult(
      await signIn(context, user, client.clientId, 'TokenGeneration_NewPasswordChallenge'),
    );
  };

  const globalSignOut: Operation = async (raw, context) => {
    const user = await userOfAccessToken(context, parseInput(accessTokenInput, raw).AccessToken);
    await context.accounts.globalSignOut(user);
    return {};
  };

  const getUser: Operation = async (raw, context) => {
    const user = await userOfAccessToken(context, parseInput(accessTokenInput, raw).AccessToken);
    return {
      Username: user.username,
      UserAttributes: Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    };
  };

  return {
    InitiateAuth: initiateAuth,
    RespondToAuthChallenge: respondToAuthChallenge,
    GlobalSignOut: globalSignOut,
    GetUser: getUser,
  };
}

function signIn(
  context: IdentityContext,
  user: UserRecord,
  clientId: string,
  triggerSource: 'TokenGeneration_Authentication' | 'TokenGeneration_NewPasswordChallenge',
) {
  return context.tokens.startSession({ user, clientId, scopes: API_SCOPES, channel: 'api', triggerSource });
}

function newPasswordChallenge(user: UserRecord, session: string) {
  const { sub: _sub, ...attributes } = user.attributes;
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: session,
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: '[]',
      userAttributes: JSON.stringify(attributes),
    },
  };
}

/** The user behind an access token, for the operations a signed-in user calls with it. */
async function userOfAccessToken(context: IdentityContext, token: string): Promise<UserRecord> {
  const check = await context.accessTokens.verify(token);
  if (!check.ok) {
    const messages = {
      invalid: 'Invalid Access Token',
      expired: 'Access Token has expired',
      revoked: 'Access Token has been revoked',
    };
    throw notAuthorized(messages[check.problem]);
  }
  if (!(check.claims.scope ?? '').split(' ').includes('aws.cognito.signin.user.admin')) {
    throw notAuthorized('Access Token does not have required scopes');
  }
  return check.user;
}

const notAuthorized = (message: string) => new CognitoError('NotAuthorizedException', message);
