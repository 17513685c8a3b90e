import { ServiceUnavailableException } from '@nestjs/common';

export const M2M_TOKEN_UNAVAILABLE = 'M2M_TOKEN_UNAVAILABLE';

/**
 * No service token could be obtained. A 503 as it stands (its response body is `{ code, message }`),
 * so thrown through a Nest request it needs no mapping; outside Nest it is an Error with `code`.
 * The message names the token host and what went wrong, never the secret or a token.
 */
export class M2MTokenError extends ServiceUnavailableException {
  readonly code = M2M_TOKEN_UNAVAILABLE;

  constructor(message: string, options?: { cause?: unknown }) {
    super(
      { code: M2M_TOKEN_UNAVAILABLE, message },
      options?.cause !== undefined ? { cause: options.cause } : {},
    );
    this.name = 'M2MTokenError';
  }
}
