import type { IncomingMessage } from 'node:http';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { IdentityBridge } from './server/identity-bridge.js';
import { readWebConfig } from './server/web-config.js';

/**
 * `npm run dev`: Vite's dev server with hot reload, serving what the console's own server serves
 * beside the app — `/config.json` and the identity bridge — from the same environment variables.
 */
function consoleServer(): Plugin {
  return {
    name: 'helpline-console-server',
    configureServer(server) {
      const config = readWebConfig(process.env, 'dist/app');
      const bridge = config.identityBridge ? new IdentityBridge(config.console.oidc.authority) : undefined;
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        if (path === '/config.json') {
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.setHeader('cache-control', 'no-store');
          res.end(JSON.stringify(config.console));
          return;
        }
        if (!bridge?.handles(path)) return next();
        void readBody(req)
          .then((body) =>
            bridge.handle({
              method: req.method ?? 'GET',
              path,
              headers: req.headers,
              body,
              origin: `http://${req.headers.host ?? 'localhost'}`,
            }),
          )
          .then((answer) => {
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          }, next);
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export default defineConfig({
  plugins: [react(), consoleServer()],
  // The pool's registered callback is http://localhost:5173/callback.
  server: { port: 5173, strictPort: true },
  build: { outDir: 'dist/app', emptyOutDir: true, sourcemap: true },
});
