import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { BRIDGE_PREFIX, IdentityBridge } from './identity-bridge.js';
import { contentSecurityPolicy, type WebConfig } from './web-config.js';

const HTML = 'text/html; charset=utf-8';
/** Token and revocation requests are a few hundred bytes of form. */
const BRIDGE_BODY_LIMIT = 64 * 1024;

export interface RunningWebServer {
  /** Where it listens, `http://localhost:5173`. */
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The console's server: the built single-page app (any unknown page path gets index.html, where the
 * app's router takes over), `/config.json` for the app, health checks, and — locally — the identity
 * bridge. Hashed assets are cached for good; index.html and the config never.
 */
export async function buildWebServer(config: WebConfig): Promise<FastifyInstance> {
  const index = join(config.appDir, 'index.html');
  if (!existsSync(index)) {
    throw new Error(`${index} not found — build the console first (npm run build)`);
  }
  const app = Fastify({
    logger: { level: config.logLevel, base: { service: 'web' } },
    // Pages and assets are not worth a line each; the bridge logs its relays itself.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  const csp = contentSecurityPolicy(config.console);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'same-origin');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      void reply.header('content-security-policy', csp);
    }
    if (request.url.startsWith('/assets/') && reply.statusCode === 200) {
      void reply.header('cache-control', 'public, max-age=31536000, immutable');
    }
  });

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) =>
    existsSync(index) ? { status: 'ok' } : reply.code(503).send({ status: 'error', missing: 'app' }),
  );
  app.get('/config.json', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send(config.console),
  );

  if (config.identityBridge) {
    const bridge = new IdentityBridge(config.console.oidc.authority);
    await app.register(
      async (scope) => {
        // Pass bodies through as they came (form-encoded token requests).
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser(
          '*',
          { parseAs: 'buffer', bodyLimit: BRIDGE_BODY_LIMIT },
          (_req, body, done) => done(null, body),
        );
        scope.all('/*', async (request, reply) => {
          const path = request.url.split('?')[0] ?? '';
          const answer = await bridge.handle({
            method: request.method,
            path,
            headers: request.headers,
            ...(Buffer.isBuffer(request.body) ? { body: request.body } : {}),
            origin: originOf(request),
          });
          request.log.info({ path, status: answer.status }, `identity bridge: ${path} ${answer.status}`);
          return reply.code(answer.status).headers(answer.headers).send(answer.body);
        });
      },
      { prefix: BRIDGE_PREFIX },
    );
  }

  await app.register(fastifyStatic, {
    root: config.appDir,
    wildcard: false,
    index: false,
    cacheControl: false,
  });
  app.get('/', (_request, reply) => sendIndex(reply));
  app.setNotFoundHandler((request, reply) => {
    // A page of the app (no file extension) is the app's to route; anything else is a real 404.
    if (
      (request.method === 'GET' || request.method === 'HEAD') &&
      !/\.[a-z0-9]+$/i.test(request.url.split('?')[0] ?? '')
    ) {
      return sendIndex(reply);
    }
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
  });
  await app.ready();
  return app;
}

function sendIndex(reply: FastifyReply) {
  return reply.header('cache-control', 'no-cache').type(HTML).sendFile('index.html');
}

/** The origin the browser used, for the bridge's rewritten discovery document. */
function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** Builds and listens; resolves once it does. */
export async function startWebServer(config: WebConfig): Promise<RunningWebServer> {
  const app = await buildWebServer(config);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    close: () => app.close(),
  };
}
