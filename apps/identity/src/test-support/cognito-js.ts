import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { POOL_ID } from './harness.js';

/**
 * amazon-cognito-identity-js — the library Cognito front ends (and Amplify v5) are built on — pointed at
 * identity through its `endpoint` option, with its callbacks turned into promises. Nothing here speaks the
 * protocol: every request is the library's own.
 */
export class CognitoJs {
  readonly pool: CognitoUserPool;

  constructor(endpoint: string, clientId = 'helpline-spa') {
    this.pool = new CognitoUserPool({ UserPoolId: POOL_ID, ClientId: clientId, endpoint });
  }

  user(username: string): CognitoUser {
    return new CognitoUser({ Username: username, Pool: this.pool });
  }

  /** The library's documented form: `signUp(username, password, attributes, null, callback)`. */
  signUp(username: string, password: string, attributes: Record<string, string> = {}) {
    const list = Object.entries(attributes).map(([Name, Value]) => new CognitoUserAttribute({ Name, Value }));
    return new Promise<{ userSub: string; userConfirmed: boolean }>((resolve, reject) =>
      this.pool.signUp(
        username,
        password,
        list,
        null as unknown as CognitoUserAttribute[],
        (error, result) => (error || !result ? reject(error) : resolve(result)),
      ),
    );
  }

  /** authenticateUser: USER_SRP_AUTH, the library's default flow. */
  signIn(user: CognitoUser, password: string): Promise<SignInOutcome> {
    const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
    return new Promise((resolve, reject) =>
      user.authenticateUser(details, {
        onSuccess: (session) => resolve({ session }),
        onFailure: reject,
        newPasswordRequired: (userAttributes) => resolve({ newPasswordRequired: userAttributes as object }),
      }),
    );
  }

  completeNewPassword(user: CognitoUser, password: string): Promise<CognitoUserSession> {
    return new Promise((resolve, reject) =>
      user.completeNewPasswordChallenge(password, {}, { onSuccess: resolve, onFailure: reject }),
    );
  }
}

export type SignInOutcome = { session: CognitoUserSession } | { newPasswordRequired: object };

/** Node-style callback → promise. */
export function promised<T>(run: (callback: (error: Error | undefined | null, value?: T) => void) => void) {
  return new Promise<T>((resolve, reject) =>
    run((error, value) => (error ? reject(error) : resolve(value as T))),
  );
}

/** `{onSuccess, onFailure}` callbacks → promise. */
export function settled<T>(
  run: (callbacks: { onSuccess: (value: T) => void; onFailure: (error: Error) => void }) => void,
) {
  return new Promise<T>((resolve, reject) => run({ onSuccess: resolve, onFailure: reject }));
}
