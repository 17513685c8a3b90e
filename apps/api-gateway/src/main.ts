import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, runService } from '@helpline/common';
import { AppModule, OPEN_API, REQUEST_CONTEXT } from './app.module.js';
import { runPrimary } from './cluster/primary.js';
import { type GatewayConfig, readGatewayConfig } from './config.js';
import { mountEdge } from './edge/mount-edge.js';

let config: GatewayConfig;
try {
  config = readGatewayConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

if (cluster.isPrimary && config.workers > 1) {
  runPrimary(config);
} else {
  await runService({
    readConfig: readGatewayConfig,
    module: (c) => AppModule.forRoot(c),
    openApi: OPEN_API,
    requestContext: REQUEST_CONTEXT,
    beforeInit: (c) => (app, fastify) => mountEdge(app, fastify, c),
  });
}
