import type { FastifyInstance } from 'fastify';
import { composeIdentity, type IdentityServerOptions } from './composition.js';
import type { IdentityContext } from './context.js';
import { buildHttpApp } from './http/app.js';

export type { IdentityServerOptions } from './composition.js';

export interface IdentityServer {
  app: FastifyInstance;
  context: IdentityContext;
  /** Starts listening (default 127.0.0.1 on a free port) and resolves to the URL it listens on. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  close(): Promise<void>;
  /** Starts new signing keys; the old ones stay in the JWKS until their tokens have expired. */
  rotateKeys(): Promise<void>;
  /** Where the OAuth endpoints are published: `issuerBaseUrl`, else where it listens. */
  readonly baseUrl: string;
  readonly issuer: string;
}

export interface RunningIdentityServer extends IdentityServer {
  /** Where it listens (the published `baseUrl` may differ when `issuerBaseUrl` is set). */
  url: string;
  issuer: string;
  /** The JWKS and token endpoint at the listening address. */
  jwksUri: string;
  tokenUrl: string;
}

/** Builds identity without listening: the object graph (composition.ts), then the HTTP pipeline (http/app.ts). */
export async function buildIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
  const { context, urls } = await composeIdentity(options);
  const app = await buildHttpApp(context, { outbox: options.outbox ?? true });
  return {
    app,
    context,
    async listen(listenOptions = {}) {
      const host = listenOptions.host ?? '127.0.0.1';
      await app.listen({ port: listenOptions.port ?? 0, host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : listenOptions.port;
      urls.listeningAt(`http://${publishedHost(host)}:${port}`);
      return urls.selfUrl();
    },
    close: () => app.close(),
    rotateKeys: () => context.keys.rotate(),
    get baseUrl() {
      return urls.baseUrl();
    },
    get issuer() {
      return urls.issuer();
    },
  };
}

/** Builds and listens (default 127.0.0.1 on a free port): what tests and end-to-end suites call. */
export async function startIdentityServer(
  options: IdentityServerOptions & { port?: number; host?: string },
): Promise<RunningIdentityServer> {
  const server = await buildIdentityServer(options);
  const url = await server.listen({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  return {
    ...server,
    baseUrl: server.baseUrl,
    url,
    issuer: server.issuer,
    jwksUri: `${url}/${server.context.pool.id}/.well-known/jwks.json`,
    tokenUrl: `${url}/oauth2/token`,
  };
}

function publishedHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
