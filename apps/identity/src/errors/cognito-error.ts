/**
 * An error of the Cognito JSON API: `__type` and `message` as Cognito sends them, so that the AWS SDK raises
 * its named exception (`NotAuthorizedException`…). The features throw these: Cognito's error names are the
 * stable codes of this service, as `ERR_JWT_EXPIRED` is jose's.
 */
export type CognitoErrorType =
  | 'CodeMismatchException'
  | 'ExpiredCodeException'
  | 'InternalErrorException'
  | 'InvalidParameterException'
  | 'InvalidPasswordException'
  | 'NotAuthorizedException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'UnsupportedUserStateException'
  | 'UserLambdaValidationException'
  | 'UserNotConfirmedException'
  | 'UserNotFoundException'
  | 'UsernameExistsException';

export class CognitoError extends Error {
  constructor(
    readonly type: CognitoErrorType,
    message: string,
    /** Cognito answers every client error with 400; only its own faults are 500. */
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export const isCognitoError = (error: unknown): error is CognitoError => error instanceof CognitoError;

/** Cognito's single answer to a wrong password and to an unknown user alike (user existence is not revealed). */
export const incorrectCredentials = () =>
  new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');
