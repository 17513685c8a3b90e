import { ConfigError } from '@helpline/common';
import { describe, expect, it } from 'vitest';
import { readUserServiceConfig } from './config.js';

describe('user-service configuration', () => {
  it('names every problem in one error', () => {
    let error: unknown;
    try {
      readUserServiceConfig({
        NODE_ENV: 'production',
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://db',
        SEED_DEMO_DATA: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'SEED_DEMO_DATA', 'JWT_'])
      expect(message).toContain(name);
  });

  it('trusts the local identity service by default outside production', () => {
    const config = readUserServiceConfig({ DATABASE_URL: 'postgres://localhost/users' });
    expect(config.auth).toMatchObject({
      mode: 'jwks',
      issuer: 'http://localhost:9229/ap-northeast-1_helplinelocal',
      audience: ['helpline-spa', 'helpline-api', 'order-service', 'user-provisioner'],
    });
    expect(config.service.port).toBe(3000);
    expect(config.database.url).toBe('postgres://localhost/users');
  });

  it('requires DATABASE_URL, saying that npm start provides it', () => {
    expect(() => readUserServiceConfig({})).toThrow(/DATABASE_URL: required.*npm start/);
  });

  it('does not seed demo data unless asked', () => {
    expect(readUserServiceConfig({ DATABASE_URL: 'postgres://localhost/db' }).seedDemoData).toBe(false);
    expect(
      readUserServiceConfig({ DATABASE_URL: 'postgres://localhost/db', SEED_DEMO_DATA: 'true' }).seedDemoData,
    ).toBe(true);
  });
});
