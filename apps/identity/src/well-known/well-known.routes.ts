import type { FastifyInstance } from 'fastify';
import type { IdentityContext } from '../context.js';
import { OIDC_SCOPES } from '../pool/pool-definition.js';

/** Discovery and JWKS under the issuer's path, `/<pool id>/.well-known/…`, as Cognito publishes them. */
export async function wellKnownRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  const base = `/${context.pool.id}/.well-known`;

  app.get(`${base}/jwks.json`, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(context.keys.jwks()),
  );

  app.get(`${base}/openid-configuration`, async () => {
    const domain = context.baseUrl();
    const issuer = context.issuer();
    return {
      authorization_endpoint: `${domain}/oauth2/authorize`,
      code_challenge_methods_supported: ['S256'],
      end_session_endpoint: `${domain}/logout`,
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      id_token_signing_alg_values_supported: ['RS256'],
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      revocation_endpoint: `${domain}/oauth2/revoke`,
      scopes_supported: OIDC_SCOPES.filter((scope) => scope !== 'aws.cognito.signin.user.admin'),
      subject_types_supported: ['public'],
      token_endpoint: `${domain}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      userinfo_endpoint: `${domain}/oauth2/userInfo`,
    };
  });
}
