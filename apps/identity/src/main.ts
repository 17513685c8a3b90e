import { loadConfig, serverOptionsFrom, type IdentityConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { buildIdentityServer, type IdentityServer } from './server.js';

// Local Cognito-compatible identity provider: see README.md. Start-up problems end the process with one message.
function stop(logger: Logger, error: unknown): never {
  const { code, message } = error as { code?: string; message?: string };
  logger.fatal({ code, ...(code ? {} : { err: error }) }, message ?? 'identity cannot start');
  process.exit(1);
}

let config: IdentityConfig;
try {
  config = loadConfig();
} catch (error) {
  stop(createLogger('info'), error);
}

const logger = createLogger(config.logLevel);
let server: IdentityServer;
try {
  server = await buildIdentityServer({ ...serverOptionsFrom(config), logger });
  await server.listen({ port: config.port, host: config.host });
} catch (error) {
  stop(logger, error);
}
logger.info({ issuer: server.issuer, pool: config.poolFile, dataDir: config.dataDir }, 'identity is ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'identity is stopping');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
