import { z } from 'zod';
import type { SessionRefusal } from '../../auth/sessions.js';
import type { SrpChallenge } from '../../auth/sign-in.js';
import type { IdentityContext } from '../../context.js';
import { CognitoError } from '../../errors/cognito-error.js';
import type { AppClient } from '../../pool/pool-definition.js';
import type { UserTokens } from '../../tokens/token-service.js';
import type { UserRecord } from '../../users/user.js';
import type { ChallengeSessions } from '../challenge-sessions.js';
import { assertAuthFlow, assertSecretHash, requireClient, requirePool } from '../client-checks.js';
import { nonEmpty, opt, parseInput, requireParameter, stringMap } from '../validation.js';
import type { Operation } from './operation.js';

/** The scope of tokens from the JSON API: the user may call Cognito's user operations with them. */
export const API_SCOPES = ['aws.cognito.signin.user.admin'];

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
type AuthFlow = (typeof AUTH_FLOWS)[number];

/** USER_AUTH's first factors offered here (no passkeys or one-time passwords). */
const USER_AUTH_CHALLENGES = ['PASSWORD', 'PASSWORD_SRP'] as const;

const authFlow = z.enum(AUTH_FLOWS, {
  message: `Member must satisfy enum value set: [${AUTH_FLOWS.join(', ')}]`,
});
const optionalCommon = {
  ClientMetadata: opt(stringMap),
  AnalyticsMetadata: opt(z.object({ AnalyticsEndpointId: opt(z.string()) })),
  UserContextData: opt(z.object({ EncodedData: opt(z.string()), IpAddress: opt(z.string()) })),
};
const initiateAuthInput = z.object({
  AuthFlow: authFlow,
  ClientId: nonEmpty(),
  AuthParameters: opt(stringMap),
  Session: opt(z.string()),
  ...optionalCommon,
});
const adminInitiateAuthInput = initiateAuthInput
  .omit({ UserContextData: true })
  .extend({ UserPoolId: nonEmpty(55), ContextData: opt(z.record(z.string(), z.unknown())) });
const respondInput = z.object({
  ClientId: nonEmpty(),
  ChallengeName: z.string(),
  Session: opt(z.string()),
  ChallengeResponses: opt(stringMap),
  ...optionalCommon,
});
const adminRespondInput = respondInput
  .omit({ UserContextData: true })
  .extend({ UserPoolId: nonEmpty(55), ContextData: opt(z.record(z.string(), z.unknown())) });
const revokeTokenInput = z.object({
  Token: z.string().min(1),
  ClientId: nonEmpty(),
  ClientSecret: opt(z.string()),
});

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

const REFRESH_REFUSALS: Record<SessionRefusal, string> = {
  unknown: 'Invalid Refresh Token',
  revoked: 'Refresh Token has been revoked',
  expired: 'Refresh Token has expired',
  'user-gone': 'Invalid Refresh Token',
  'user-disabled': 'User is disabled.',
};

/** One sign-in call: the client, whether it came through Admin*, and what the flows share. */
interface Call {
  context: IdentityContext;
  client: AppClient;
  admin: boolean;
}

/**
 * InitiateAuth / RespondToAuthChallenge and their Admin* twins. The flows: USER_PASSWORD_AUTH (and, through
 * Admin*, ADMIN_USER_PASSWORD_AUTH), USER_SRP_AUTH → PASSWORD_VERIFIER, USER_AUTH with PASSWORD or
 * PASSWORD_SRP (SELECT_CHALLENGE without a preference), REFRESH_TOKEN_AUTH; then NEW_PASSWORD_REQUIRED for
 * an invited user. Each flow must be enabled for the client, as on Cognito.
 */
export function authenticationOperations(challenges: ChallengeSessions): Record<string, Operation> {
  async function initiate(call: Call, flow: AuthFlow, parameters: Record<string, string> = {}) {
    const { client, admin, context } = call;
    switch (flow) {
      case 'USER_PASSWORD_AUTH':
      case 'ADMIN_USER_PASSWORD_AUTH':
      case 'ADMIN_NO_SRP_AUTH': {
        const adminFlow = flow !== 'USER_PASSWORD_AUTH';
        if (adminFlow !== admin)
          throw new CognitoError('InvalidParameterException', 'Initiate Auth method not supported.');
        assertAuthFlow(
          client,
          adminFlow ? 'ALLOW_ADMIN_USER_PASSWORD_AUTH' : 'ALLOW_USER_PASSWORD_AUTH',
          flow,
        );
        const username = requireParameter(parameters, 'USERNAME');
        const password = requireParameter(parameters, 'PASSWORD');
        assertSecretHash(client, parameters.SECRET_HASH, [username]);
        return completeSignIn(call, await context.signIn.withPassword(username, password));
      }
      case 'USER_SRP_AUTH': {
        assertAuthFlow(client, 'ALLOW_USER_SRP_AUTH', flow);
        const username = requireParameter(parameters, 'USERNAME');
        const srpA = requireParameter(parameters, 'SRP_A');
        assertSecretHash(client, parameters.SECRET_HASH, [username]);
        return passwordVerifier(context.signIn.startSrp(username, srpA, client.clientId));
      }
      case 'USER_AUTH':
        return userAuth(call, parameters);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN': {
        assertAuthFlow(client, 'ALLOW_REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN_AUTH');
        const resumed = context.sessions.resume(
          requireParameter(parameters, 'REFRESH_TOKEN'),
          client.clientId,
        );
        if (!resumed.ok) throw notAuthorized(REFRESH_REFUSALS[resumed.reason]);
        // The hash is over the user's Cognito username (the sub, in a pool that signs in by email), not the email.
        assertSecretHash(client, parameters.SECRET_HASH, [resumed.user.username]);
        return authenticationResult(await context.tokens.refreshSession(resumed.session, resumed.user));
      }
      case 'CUSTOM_AUTH':
        assertAuthFlow(client, 'ALLOW_CUSTOM_AUTH', flow);
        throw new CognitoError(
          'InvalidParameterException',
          'Custom auth lambda trigger is not configured for the user pool.',
        );
    }
  }

  /** USER_AUTH (choice-based sign-in): the preferred first factor, or SELECT_CHALLENGE to choose one. */
  async function userAuth(call: Call, parameters: Record<string, string>) {
    const { client, context } = call;
    assertAuthFlow(client, 'ALLOW_USER_AUTH', 'USER_AUTH');
    const username = requireParameter(parameters, 'USERNAME');
    assertSecretHash(client, parameters.SECRET_HASH, [username]);
    const preferred = parameters.PREFERRED_CHALLENGE;
    if (preferred === 'PASSWORD' && parameters.PASSWORD) {
      return completeSignIn(call, await context.signIn.withPassword(username, parameters.PASSWORD));
    }
    if (preferred === 'PASSWORD_SRP' && parameters.SRP_A) {
      return passwordVerifier(context.signIn.startSrp(username, parameters.SRP_A, client.clientId));
    }
    return {
      ChallengeName: 'SELECT_CHALLENGE',
      Session: challenges.start('SELECT_CHALLENGE', username, client.clientId),
      ChallengeParameters: {},
      AvailableChallenges: [...USER_AUTH_CHALLENGES],
    };
  }

  async function respond(
    call: Call,
    name: string,
    session: string | undefined,
    responses: Record<string, string> = {},
  ) {
    const { client, context } = call;
    if (name === 'PASSWORD_VERIFIER') {
      const username = requireParameter(responses, 'USERNAME');
      const claim = {
        clientId: client.clientId,
        username,
        secretBlock: requireParameter(responses, 'PASSWORD_CLAIM_SECRET_BLOCK'),
        signature: requireParameter(responses, 'PASSWORD_CLAIM_SIGNATURE'),
        timestamp: requireParameter(responses, 'TIMESTAMP'),
      };
      assertSecretHash(client, responses.SECRET_HASH, [username]);
      return completeSignIn(call, await context.signIn.finishSrp(claim));
    }
    if (name === 'SELECT_CHALLENGE') {
      const username = requireParameter(responses, 'USERNAME');
      const answer = requireParameter(responses, 'ANSWER');
      assertSecretHash(client, responses.SECRET_HASH, [username]);
      const pending = session ? challenges.take(session, client.clientId, 'SELECT_CHALLENGE') : undefined;
      if (!pending || pending.username.toLowerCase() !== username.toLowerCase()) throw invalidSession();
      if (answer === 'PASSWORD') {
        const password = requireParameter(responses, 'PASSWORD');
        return completeSignIn(call, await context.signIn.withPassword(username, password));
      }
      if (answer === 'PASSWORD_SRP') {
        return passwordVerifier(
          context.signIn.startSrp(username, requireParameter(responses, 'SRP_A'), client.clientId),
        );
      }
      throw new CognitoError('InvalidParameterException', `${answer} is not an available challenge.`);
    }
    if (name === 'NEW_PASSWORD_REQUIRED') {
      const username = requireParameter(responses, 'USERNAME');
      const password = requireParameter(responses, 'NEW_PASSWORD');
      assertSecretHash(client, responses.SECRET_HASH, [username]);
      const pending = session
        ? challenges.take(session, client.clientId, 'NEW_PASSWORD_REQUIRED')
        : undefined;
      const user = pending ? context.directory.find(pending.username) : undefined;
      if (!pending || !user || context.directory.find(username) !== user) throw invalidSession();
      await context.passwords.completeNewPassword(user, password);
      return authenticationResult(await startSession(call, user, 'TokenGeneration_NewPasswordChallenge'));
    }
    throw new CognitoError(
      'InvalidParameterException',
      `${name} is not supported by the local identity provider`,
    );
  }

  /** Tokens for a user who proved their password, or NEW_PASSWORD_REQUIRED for an invited one. */
  async function completeSignIn(call: Call, user: UserRecord) {
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      return newPasswordChallenge(
        user,
        challenges.start('NEW_PASSWORD_REQUIRED', user.username, call.client.clientId),
      );
    }
    return authenticationResult(await startSession(call, user, 'TokenGeneration_Authentication'));
  }

  const initiateAuth: Operation = async (raw, context) => {
    const input = parseInput(initiateAuthInput, raw);
    const client = requireClient(context.pool, input.ClientId);
    const call = { context, client, admin: false };
    return initiate(call, input.AuthFlow, input.AuthParameters);
  };

  const adminInitiateAuth: Operation = async (raw, context) => {
    const input = parseInput(adminInitiateAuthInput, raw);
    requirePool(context.pool, input.UserPoolId);
    const client = requireClient(context.pool, input.ClientId);
    const call = { context, client, admin: true };
    return initiate(call, input.AuthFlow, input.AuthParameters);
  };

  const respondToAuthChallenge: Operation = async (raw, context) => {
    const input = parseInput(respondInput, raw);
    const client = requireClient(context.pool, input.ClientId);
    const call = { context, client, admin: false };
    return respond(call, input.ChallengeName, input.Session, input.ChallengeResponses);
  };

  const adminRespondToAuthChallenge: Operation = async (raw, context) => {
    const input = parseInput(adminRespondInput, raw);
    requirePool(context.pool, input.UserPoolId);
    const client = requireClient(context.pool, input.ClientId);
    const call = { context, client, admin: true };
    return respond(call, input.ChallengeName, input.Session, input.ChallengeResponses);
  };

  return {
    InitiateAuth: initiateAuth,
    RespondToAuthChallenge: respondToAuthChallenge,
    AdminInitiateAuth: adminInitiateAuth,
    AdminRespondToAuthChallenge: adminRespondToAuthChallenge,
    RevokeToken: revokeToken,
  };
}

/** RevokeToken: ends a refresh token's session (amazon-cognito-identity-js's and Amplify's signOut). */
const revokeToken: Operation = async (raw, context) => {
  const input = parseInput(revokeTokenInput, raw);
  const client = requireClient(context.pool, input.ClientId);
  if (client.clientSecret !== undefined && input.ClientSecret !== client.clientSecret) {
    throw new CognitoError('UnauthorizedException', 'Invalid client secret.');
  }
  if (input.Token.split('.').length === 3) {
    throw new CognitoError('UnsupportedTokenTypeException', 'Only refresh tokens can be revoked.');
  }
  const revoked = await context.sessions.revoke(input.Token, client.clientId);
  if (!revoked.ok) throw new CognitoError('UnauthorizedException', 'Token was not issued to this client.');
  return {};
};

function startSession(
  call: Call,
  user: UserRecord,
  triggerSource: 'TokenGeneration_Authentication' | 'TokenGeneration_NewPasswordChallenge',
) {
  return call.context.tokens.startSession({
    user,
    clientId: call.client.clientId,
    scopes: API_SCOPES,
    channel: 'api',
    triggerSource,
  });
}

function passwordVerifier(challenge: SrpChallenge) {
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      SALT: challenge.salt,
      SECRET_BLOCK: challenge.secretBlock,
      SRP_B: challenge.srpB,
      USERNAME: challenge.userIdForSrp,
      USER_ID_FOR_SRP: challenge.userIdForSrp,
    },
  };
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

const notAuthorized = (message: string) => new CognitoError('NotAuthorizedException', message);
const invalidSession = () => notAuthorized('Invalid session for the user, session is expired.');
