import { describe, expect, it } from 'vitest';
import type { PreSignUpEvent } from './events.js';
import { createPreSignUpHandler } from './pre-sign-up.js';

const event = (email: string | undefined): PreSignUpEvent => ({
  version: '1',
  region: 'ap-northeast-1',
  userPoolId: 'ap-northeast-1_helplinelocal',
  userName: 'a0000000-0000-4000-8000-00000000000f',
  callerContext: { awsSdkVersion: 'test', clientId: 'helpline-spa' },
  triggerSource: 'PreSignUp_SignUp',
  request: { userAttributes: email ? { email } : {} },
  response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});

describe('preSignUp', () => {
  it('admits every domain when none is configured, and never auto-confirms', async () => {
    const result = await createPreSignUpHandler({ allowedEmailDomains: [] })(event('a@anywhere.test'));
    expect(result.response).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
  });

  it('admits only the configured domains, case-insensitively', async () => {
    const handler = createPreSignUpHandler({ allowedEmailDomains: ['example.com'] });
    await expect(handler(event('Someone@EXAMPLE.com'))).resolves.toBeDefined();
    await expect(handler(event('someone@example.com.evil.test'))).rejects.toThrow(
      'Email domain example.com.evil.test is not allowed',
    );
    await expect(handler(event(undefined))).rejects.toThrow('An email address is required');
    await expect(handler(event('no-at-sign'))).rejects.toThrow('no-at-sign is not an email address');
  });
});
