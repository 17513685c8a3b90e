/**
 * Cognito's Lambda trigger events, as Cognito sends them (the fields this system reads or writes).
 * Written here rather than taken from @types/aws-lambda so that the shapes identity builds locally
 * and the shapes the handlers read are one and the same declaration.
 */

export type StringMap = Record<string, string>;

export interface CallerContext {
  awsSdkVersion: string;
  clientId: string;
}

interface TriggerEventBase<TSource extends string> {
  version: string;
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: CallerContext;
  triggerSource: TSource;
}

export type PreSignUpTriggerSource =
  'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser' | 'PreSignUp_ExternalProvider';

export interface PreSignUpEvent extends TriggerEventBase<PreSignUpTriggerSource> {
  request: { userAttributes: StringMap; validationData?: StringMap; clientMetadata?: StringMap };
  response: { autoConfirmUser: boolean; autoVerifyEmail: boolean; autoVerifyPhone: boolean };
}

export type PostConfirmationTriggerSource =
  'PostConfirmation_ConfirmSignUp' | 'PostConfirmation_ConfirmForgotPassword';

export interface PostConfirmationEvent extends TriggerEventBase<PostConfirmationTriggerSource> {
  request: { userAttributes: StringMap; clientMetadata?: StringMap };
  response: Record<string, never>;
}

/** V2_0 sources (user authentication); V3_0 adds TokenGeneration_ClientCredentials. */
export type PreTokenGenerationUserTriggerSource =
  | 'TokenGeneration_HostedAuth'
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_AuthenticateDevice'
  | 'TokenGeneration_RefreshTokens';
export type PreTokenGenerationTriggerSource =
  PreTokenGenerationUserTriggerSource | 'TokenGeneration_ClientCredentials';

/** V2/V3 events may put strings, numbers, booleans, arrays and JSON objects in claims. */
export type ClaimValue = string | number | boolean | ClaimValue[] | { [key: string]: ClaimValue };

export interface GroupConfiguration {
  groupsToOverride: string[];
  iamRolesToOverride: string[];
  preferredRole: string | null;
}

export interface IdTokenGeneration {
  claimsToAddOrOverride?: Record<string, ClaimValue>;
  claimsToSuppress?: string[];
}

export interface AccessTokenGeneration extends IdTokenGeneration {
  scopesToAdd?: string[];
  scopesToSuppress?: string[];
}

export interface ClaimsAndScopeOverrideDetails {
  idTokenGeneration?: IdTokenGeneration;
  accessTokenGeneration?: AccessTokenGeneration;
  groupOverrideDetails?: Partial<GroupConfiguration>;
}

export interface PreTokenGenerationEvent extends Omit<
  TriggerEventBase<PreTokenGenerationTriggerSource>,
  'userName'
> {
  /** '2' for V2_0, '3' for V3_0. */
  version: '2' | '3';
  /** Absent for client-credentials events: there is no user. */
  userName?: string;
  request: {
    userAttributes: StringMap;
    groupConfiguration: GroupConfiguration;
    scopes: string[];
    clientMetadata?: StringMap;
  };
  response: { claimsAndScopeOverrideDetails: ClaimsAndScopeOverrideDetails | null };
}

/** A Lambda handler as Cognito calls it: the event in, the event (with `response` filled) out. */
export type TriggerHandler<E> = (event: E) => Promise<E>;

export interface TriggerHandlers {
  preSignUp: TriggerHandler<PreSignUpEvent>;
  postConfirmation: TriggerHandler<PostConfirmationEvent>;
  preTokenGeneration: TriggerHandler<PreTokenGenerationEvent>;
}

export type TriggerHandlerName = keyof TriggerHandlers;
