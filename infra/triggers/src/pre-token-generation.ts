import type { PreTokenGenerationEvent, TriggerHandler } from './events.js';

/**
 * Pre token generation (V2_0/V3_0 event). helpline's tokens need nothing beyond Cognito's defaults —
 * roles travel in `cognito:groups`, service permissions in `scope` — so the deployed handler leaves the
 * tokens as they are. It is deployed anyway so that a claim added here later reaches local and AWS tokens
 * alike; identity applies whatever `claimsAndScopeOverrideDetails` a handler returns.
 */
export function createPreTokenGenerationHandler(): TriggerHandler<PreTokenGenerationEvent> {
  return async (event) => event;
}
