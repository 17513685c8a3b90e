import { ConfigError } from '@helpline/config';
import { describe, expect, it } from 'vitest';
import { parseDomains, readTriggerConfig } from './config.js';

describe('readTriggerConfig', () => {
  it('has local defaults, and the seed’s M2M variable names', () => {
    expect(readTriggerConfig({})).toEqual({
      allowedEmailDomains: [],
      userServiceUrl: 'http://localhost:3000',
      tokenUrl: 'http://localhost:9229/oauth2/token',
      clientId: 'user-provisioner',
      clientSecret: undefined,
      scope: 'service/user.write',
      timeoutMs: 5000,
    });
    expect(
      readTriggerConfig({
        ALLOWED_EMAIL_DOMAINS: 'example.com',
        USER_SERVICE_URL: 'https://users.internal',
        COGNITO_TOKEN_URL: 'https://helpline.auth.ap-northeast-1.amazoncognito.com/oauth2/token',
        SERVICE_CLIENT_ID: 'abc123',
        SERVICE_CLIENT_SECRET: 's3cret',
        SERVICE_SCOPE: 'service/user.write',
        USER_SERVICE_TIMEOUT_MS: '2000',
      }),
    ).toMatchObject({
      allowedEmailDomains: ['example.com'],
      clientId: 'abc123',
      clientSecret: 's3cret',
      timeoutMs: 2000,
    });
  });

  it('names every bad variable', () => {
    expect(() =>
      readTriggerConfig({
        USER_SERVICE_URL: 'users',
        COGNITO_TOKEN_URL: 'ftp://x',
        USER_SERVICE_TIMEOUT_MS: '0',
      }),
    ).toThrow(ConfigError);
    expect(() => readTriggerConfig({ USER_SERVICE_URL: 'users', USER_SERVICE_TIMEOUT_MS: 'x' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        problems: [
          'USER_SERVICE_URL="users": must be an http(s) URL',
          'USER_SERVICE_TIMEOUT_MS="x": must be a whole number of milliseconds ≥ 1',
        ],
      }),
    );
  });

  it('parses domain lists leniently', () => {
    expect(parseDomains(' Example.COM, @corp.test ,, ')).toEqual(['example.com', 'corp.test']);
    expect(parseDomains(undefined)).toEqual([]);
  });
});
