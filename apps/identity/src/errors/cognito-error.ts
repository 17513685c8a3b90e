/**
 * An error of the Cognito JSON API: `__type` and `message` as Cognito sends them, so that the AWS SDK raises
 * its named exception (`NotAuthorizedException`…). The features throw these: Cognito's error names are the
 * stable codes of this service, as `ERR_JWT_EXPIRED` is jose's.
 */
export type CognitoErrorType =
  | 'AliasExistsException'
  | 'CodeMismatchException'
  | 'ExpiredCodeException'
  | 'InternalErrorException'
  | 'InvalidParameterException'
  | 'InvalidPasswordException'
  | 'LimitExceededException'
  | 'NotAuthorizedException'
  | 'PasswordResetRequiredException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'UnauthorizedException'
  | 'UnknownOperationException'
  | 'UnsupportedOperationException'
  | 'UnsupportedTokenTypeException'
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
/** Cognito's answer while a user (or a name nobody has) is locked out after repeated wrong passwords. */
export const passwordAttemptsExceeded = () =>
  new CognitoError('NotAuthorizedException', 'Password attempts exceeded');
/** Cognito's answer while repeated wrong codes lock a user (or a name nobody has) out of a code check. */
export const codeAttemptsExceeded = () =>
  new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
export const codeMismatch = () =>
  new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
export const codeExpired = () =>
  new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
