import { describe, expect, it } from 'vitest';
import { describeLocalPool, LOCAL_POOL } from './index.js';

describe('the local pool', () => {
  it('is pool.json as identity serves it by default', () => {
    expect(LOCAL_POOL).toMatchObject({
      url: 'http://localhost:9229',
      port: 9229,
      poolId: 'ap-northeast-1_helplinelocal',
      region: 'ap-northeast-1',
      issuer: 'http://localhost:9229/ap-northeast-1_helplinelocal',
      jwksUri: 'http://localhost:9229/ap-northeast-1_helplinelocal/.well-known/jwks.json',
      tokenUrl: 'http://localhost:9229/oauth2/token',
      clientIds: ['helpline-spa', 'helpline-api', 'order-service', 'user-provisioner'],
      provisioner: {
        clientId: 'user-provisioner',
        clientSecret: 'user-provisioner-secret',
        scope: 'service/user.write',
      },
      demoPassword: 'Passw0rd!',
    });
    expect(LOCAL_POOL.demoUsers.map((u) => [u.email, u.groups])).toEqual([
      ['admin@example.com', ['admin']],
      ['manager@example.com', ['manager']],
      ['user@example.com', ['user']],
    ]);
  });

  it('follows the definition and the address', () => {
    const pool = describeLocalPool(
      {
        userPoolId: 'eu-west-1_other',
        region: 'eu-west-1',
        clients: [
          {
            clientId: 'user-provisioner',
            clientSecret: 's',
            allowedOAuthFlows: ['client_credentials'],
            allowedOAuthScopes: ['service/user.write', 'service/user.read'],
          },
        ],
        demoUsers: [
          { email: 'a@example.com', password: 'one' },
          { email: 'b@example.com', password: 'two' },
        ],
      },
      'http://127.0.0.1:9300',
    );
    expect(pool).toMatchObject({
      port: 9300,
      issuer: 'http://127.0.0.1:9300/eu-west-1_other',
      tokenUrl: 'http://127.0.0.1:9300/oauth2/token',
      provisioner: { scope: 'service/user.write service/user.read' },
    });
    expect(pool).not.toHaveProperty('demoPassword');
  });

  it('needs the triggers’ client-credentials client', () => {
    expect(() => describeLocalPool({ userPoolId: 'x_y', region: 'x', clients: [] })).toThrow(
      /user-provisioner/,
    );
  });
});
