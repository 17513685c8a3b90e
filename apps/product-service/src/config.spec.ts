import { ConfigError } from '@helpline/common';
import { describe, expect, it } from 'vitest';
import { readProductServiceConfig } from './config.js';

describe('product-service configuration', () => {
  it('names every problem in one error', () => {
    let error: unknown;
    try {
      readProductServiceConfig({
        NODE_ENV: 'production',
        PORT: 'eighty',
        DATABASE_URL: 'mysql://db',
        SEED_DEMO_DATA: 'maybe',
        RESERVATION_TTL_MS: '0',
        RESERVATION_SWEEP_INTERVAL_MS: 'often',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'SEED_DEMO_DATA',
      'RESERVATION_TTL_MS',
      'RESERVATION_SWEEP_INTERVAL_MS',
      'JWT_',
    ])
      expect(message).toContain(name);
  });

  it('listens on 3002 and trusts the local identity service by default outside production', () => {
    const config = readProductServiceConfig({ DATABASE_URL: 'postgres://localhost/products' });
    expect(config.service).toMatchObject({ name: 'product-service', port: 3002 });
    expect(config.auth).toMatchObject({
      mode: 'jwks',
      issuer: 'http://localhost:9229/ap-northeast-1_helplinelocal',
    });
    expect(config.database.url).toBe('postgres://localhost/products');
    expect(config.seedDemoData).toBe(false);
  });

  it('holds reservations for 15 minutes and sweeps every 30 s unless told otherwise', () => {
    expect(readProductServiceConfig({ DATABASE_URL: 'postgres://localhost/db' }).reservations).toEqual({
      ttlMs: 900_000,
      sweepIntervalMs: 30_000,
    });
    expect(
      readProductServiceConfig({
        DATABASE_URL: 'postgres://localhost/db',
        RESERVATION_TTL_MS: '60000',
        RESERVATION_SWEEP_INTERVAL_MS: '1000',
      }).reservations,
    ).toEqual({ ttlMs: 60_000, sweepIntervalMs: 1_000 });
  });

  it('requires DATABASE_URL, saying that npm start provides it', () => {
    expect(() => readProductServiceConfig({})).toThrow(/DATABASE_URL: required.*npm start/);
  });
});
