import { LOCAL_POOL } from '@helpline/cognito-pool';
import { describe, expect, it } from 'vitest';
import { startOrder, validateParts } from './plan.js';
import { buildSystem, GATEWAY_PORT, WEB_PORT } from './system.js';

describe('the web console part', () => {
  const system = buildSystem({}, '/repo');
  const web = system.parts.find((p) => p.name === 'web')!;

  it('serves the built console where the SPA client of the pool is registered', () => {
    const spa = LOCAL_POOL.clients.find((c) => c.clientId === 'helpline-spa')!;
    expect(spa.callbackUrls).toContain(`http://localhost:${WEB_PORT}/callback`);
    expect(web).toMatchObject({
      command: ['node', 'apps/web/dist/server/main.js'],
      port: WEB_PORT,
      readyUrl: `http://127.0.0.1:${WEB_PORT}/health/ready`,
      urls: { console: `http://localhost:${WEB_PORT}` },
    });
  });

  it('points the console at the gateway and at identity, and starts it once they are ready', () => {
    expect(web.env).toEqual({
      PORT: String(WEB_PORT),
      WEB_API_URL: `http://localhost:${GATEWAY_PORT}`,
      WEB_OIDC_AUTHORITY: LOCAL_POOL.issuer,
      WEB_OIDC_LOGOUT_URL: `${LOCAL_POOL.url}/logout`,
    });
    expect(() => validateParts(system.parts)).not.toThrow();
    expect(web.dependsOn).toEqual(['identity', 'api-gateway']);
    expect(startOrder(system.parts).at(-1)?.name).toBe('web');
  });
});
