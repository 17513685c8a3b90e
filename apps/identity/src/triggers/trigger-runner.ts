import type {
  ClaimsAndScopeOverrideDetails,
  PostConfirmationEvent,
  PreSignUpEvent,
  PreSignUpTriggerSource,
  PreTokenGenerationEvent,
  PreTokenGenerationTriggerSource,
  StringMap,
  TriggerHandlers,
} from '@helpline/cognito-triggers';
import { CognitoError } from '../errors/cognito-error.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../pool/pool.js';
import type { UserRecord } from '../users/user.js';

// What Cognito puts in callerContext.awsSdkVersion when the call did not come from an SDK it recognises.
const SDK_VERSION = 'aws-sdk-unknown-unknown';

export interface PreTokenGenerationRequest {
  triggerSource: PreTokenGenerationTriggerSource;
  clientId: string;
  /** Absent for client credentials. */
  user?: UserRecord;
  groups: string[];
  scopes: string[];
  clientMetadata?: StringMap;
}

/**
 * Runs the pool's Lambda triggers in-process, with Cognito's event shapes, and turns a handler's failure into
 * what Cognito answers: `UserLambdaValidationException: <Trigger> failed with error <message>.`
 * Which triggers run comes from the pool definition; the handlers are @helpline/cognito-triggers' code.
 */
export class TriggerRunner {
  constructor(
    private readonly pool: Pool,
    private readonly handlers: () => TriggerHandlers,
    private readonly logger: Logger,
  ) {}

  /** The response of Pre sign-up (auto-confirm/verify flags), or `undefined` when the trigger is off. */
  async preSignUp(
    triggerSource: PreSignUpTriggerSource,
    input: {
      userName: string;
      clientId: string;
      userAttributes: StringMap;
      validationData?: StringMap;
      clientMetadata?: StringMap;
    },
  ): Promise<PreSignUpEvent['response'] | undefined> {
    if (!this.pool.definition.triggers.preSignUp) return undefined;
    const event: PreSignUpEvent = {
      ...this.base(input.clientId),
      triggerSource,
      userName: input.userName,
      request: {
        userAttributes: input.userAttributes,
        ...(input.validationData ? { validationData: input.validationData } : {}),
        ...(input.clientMetadata ? { clientMetadata: input.clientMetadata } : {}),
      },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    };
    return (await this.invoke('PreSignUp', () => this.handlers().preSignUp(event), event)).response;
  }

  async postConfirmation(
    user: UserRecord,
    clientId: string,
    clientMetadata?: StringMap,
    triggerSource: PostConfirmationEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp',
  ): Promise<void> {
    if (!this.pool.definition.triggers.postConfirmation) return;
    const event: PostConfirmationEvent = {
      ...this.base(clientId),
      triggerSource,
      userName: user.username,
      request: { userAttributes: eventAttributes(user), ...(clientMetadata ? { clientMetadata } : {}) },
      response: {},
    };
    await this.invoke('PostConfirmation', () => this.handlers().postConfirmation(event), event);
  }

  /**
   * The handler's overrides, or `null` when there are none or the trigger does not apply: V2_0 covers user
   * tokens only, V3_0 client-credentials tokens as well.
   */
  async preTokenGeneration(
    request: PreTokenGenerationRequest,
  ): Promise<ClaimsAndScopeOverrideDetails | null> {
    const { preTokenGeneration, preTokenGenerationVersion } = this.pool.definition.triggers;
    if (!preTokenGeneration) return null;
    const clientCredentials = request.triggerSource === 'TokenGeneration_ClientCredentials';
    if (clientCredentials && preTokenGenerationVersion !== 'V3_0') return null;
    const event: PreTokenGenerationEvent = {
      ...this.base(request.clientId),
      version: preTokenGenerationVersion === 'V3_0' ? '3' : '2',
      triggerSource: request.triggerSource,
      ...(request.user ? { userName: request.user.username } : {}),
      request: {
        userAttributes: request.user ? eventAttributes(request.user) : {},
        groupConfiguration: {
          groupsToOverride: [...request.groups],
          iamRolesToOverride: [],
          preferredRole: null,
        },
        scopes: [...request.scopes],
        ...(request.clientMetadata ? { clientMetadata: request.clientMetadata } : {}),
      },
      response: { claimsAndScopeOverrideDetails: null },
    };
    const result = await this.invoke(
      'PreTokenGeneration',
      () => this.handlers().preTokenGeneration(event),
      event,
    );
    return result.response?.claimsAndScopeOverrideDetails ?? null;
  }

  private base(clientId: string) {
    return {
      version: '1',
      region: this.pool.region,
      userPoolId: this.pool.id,
      callerContext: { awsSdkVersion: SDK_VERSION, clientId },
    };
  }

  private async invoke<E extends object>(name: string, run: () => Promise<E>, event: E): Promise<E> {
    try {
      // A Lambda may mutate the event and return nothing; Cognito then reads the event it sent.
      return ((await run()) as E | undefined) ?? event;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn({ trigger: name, err: error }, `${name} trigger failed`);
      throw new CognitoError('UserLambdaValidationException', `${name} failed with error ${message}.`);
    }
  }
}

/** A user's attributes as trigger events carry them. */
function eventAttributes(user: UserRecord): StringMap {
  return { ...user.attributes, 'cognito:user_status': user.status };
}
