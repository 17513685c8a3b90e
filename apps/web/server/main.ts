import { fileURLToPath } from 'node:url';
import { readWebConfig, type WebConfig } from './web-config.js';
import { type RunningWebServer, startWebServer } from './web-server.js';

// The web console's server (README "Web console"): the built app, its config, the identity bridge.
// Start-up problems end the process with one line.
const APP_DIR = fileURLToPath(new URL('../app', import.meta.url));

function stop(error: unknown): never {
  process.stderr.write(`web failed to start: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
}

let config: WebConfig;
let server: RunningWebServer;
try {
  config = readWebConfig(process.env, APP_DIR);
  server = await startWebServer(config);
} catch (error) {
  stop(error);
}
server.app.log.info(
  { url: server.url, api: config.console.apiUrl, authority: config.console.oidc.authority },
  'web console is ready',
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.app.log.info({ signal }, 'web console is stopping');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
