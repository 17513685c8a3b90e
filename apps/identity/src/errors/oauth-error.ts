/** The OAuth endpoints' errors, in Cognito's body (`{"error":"invalid_grant"}`) and statuses. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'invalid_token';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  invalid_token: 401,
};

export class OAuthError extends Error {
  readonly statusCode: number;

  constructor(
    readonly error: OAuthErrorCode,
    /** Why, for identity's log; sent only where Cognito sends an `error_description` (userInfo). */
    readonly reason: string,
    readonly sendDescription = false,
  ) {
    super(`${error}: ${reason}`);
    this.statusCode = STATUS[error];
  }

  body(): Record<string, string> {
    return this.sendDescription
      ? { error: this.error, error_description: this.reason }
      : { error: this.error };
  }
}

export const isOAuthError = (error: unknown): error is OAuthError => error instanceof OAuthError;
