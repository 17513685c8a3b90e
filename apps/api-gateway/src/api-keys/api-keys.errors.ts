import { defineErrors, DomainError, type ErrorCodeOf } from '@helpline/common';

/** The gateway's own error codes (its admin API) and the HTTP status of each. */
export const GATEWAY_ERRORS = defineErrors({
  API_KEY_NOT_FOUND: 404,
  UNKNOWN_PLAN: 422,
});

export type GatewayErrorCode = ErrorCodeOf<typeof GATEWAY_ERRORS>;

export const apiKeyNotFound = (id: string) =>
  new DomainError<GatewayErrorCode>('API_KEY_NOT_FOUND', `No API key ${id}`);

export const unknownPlan = (plan: string, known: string[]) =>
  new DomainError<GatewayErrorCode>(
    'UNKNOWN_PLAN',
    `No usage plan "${plan}"; the plans are ${known.join(', ')}`,
  );
