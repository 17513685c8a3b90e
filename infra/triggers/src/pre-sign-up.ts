import type { PreSignUpEvent, TriggerHandler } from './events.js';

export interface PreSignUpOptions {
  /** Lower-case domains admitted; empty admits every domain. */
  allowedEmailDomains: readonly string[];
}

/**
 * Pre sign-up: rejects a sign-up by throwing, which Cognito turns into
 * `UserLambdaValidationException: PreSignUp failed with error <message>.` for the caller.
 * It never auto-confirms: helpline users confirm their email.
 */
export function createPreSignUpHandler(options: PreSignUpOptions): TriggerHandler<PreSignUpEvent> {
  const allowed = new Set(options.allowedEmailDomains.map((domain) => domain.toLowerCase()));
  return async (event) => {
    const email = event.request.userAttributes.email;
    if (!email) throw new Error('An email address is required');
    const at = email.lastIndexOf('@');
    const domain = at > 0 ? email.slice(at + 1).toLowerCase() : '';
    if (!domain) throw new Error(`${email} is not an email address`);
    if (allowed.size > 0 && !allowed.has(domain)) {
      throw new Error(`Email domain ${domain} is not allowed`);
    }
    return event;
  };
}
