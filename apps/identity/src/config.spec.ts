import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults serve local use', () => {
    const config = loadConfig({}, '/repo');
    expect(config).toMatchObject({
      port: 9229,
      host: 'localhost',
      dataDir: '/repo/.data/identity',
      issuerBaseUrl: 'http://localhost:9229',
      logLevel: 'info',
      tokenTtl: { accessSeconds: 3600, idSeconds: 3600, refreshSeconds: 2_592_000 },
      userServiceUrl: 'http://localhost:3000',
      allowedEmailDomains: [],
      production: false,
      demoUsers: true,
    });
    expect(config.poolFile).toMatch(/infra[/\\]cognito[/\\]pool\.json$/);
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '9300',
        IDENTITY_DATA_DIR: '/var/identity',
        IDENTITY_POOL_FILE: 'pool.json',
        IDENTITY_ISSUER_BASE_URL: 'https://id.example.test/',
        LOG_LEVEL: 'debug',
        IDENTITY_ACCESS_TOKEN_TTL: '600',
        IDENTITY_ID_TOKEN_TTL: '900',
        IDENTITY_REFRESH_TOKEN_TTL: '7200',
        USER_SERVICE_URL: 'http://users:3000',
        ALLOWED_EMAIL_DOMAINS: 'Example.com, @corp.test',
        NODE_ENV: 'production',
      },
      '/repo',
    );
    expect(config).toMatchObject({
      port: 9300,
      dataDir: '/var/identity',
      poolFile: '/repo/pool.json',
      issuerBaseUrl: 'https://id.example.test',
      logLevel: 'debug',
      tokenTtl: { accessSeconds: 600, idSeconds: 900, refreshSeconds: 7200 },
      userServiceUrl: 'http://users:3000',
      allowedEmailDomains: ['example.com', 'corp.test'],
      production: true,
      demoUsers: false,
    });
    expect(loadConfig({ NODE_ENV: 'production', IDENTITY_DEMO_USERS: 'true' }, '/repo').demoUsers).toBe(true);
  });

  it('names every problem in one error', () => {
    const env = {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      IDENTITY_ISSUER_BASE_URL: 'ftp://x',
      IDENTITY_ACCESS_TOKEN_TTL: '60',
      IDENTITY_REFRESH_TOKEN_TTL: '-1',
      USER_SERVICE_URL: 'http://users:3000/api',
    };
    let error: unknown;
    try {
      loadConfig(env, '/repo');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    for (const name of Object.keys(env)) expect((error as Error).message).toContain(name);
  });
});
