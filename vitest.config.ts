import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The CDK app (infra/cdk) installs its own dependencies (npm run synth does), out of the quick
// start's `npm install`; its tests run once they are there, as in CI.
const cdkInstalled = existsSync(
  new URL('./infra/cdk/node_modules/aws-cdk-lib/package.json', import.meta.url),
);

const src = (dir: string) => fileURLToPath(new URL(`./${dir}/src/index.ts`, import.meta.url));

// NestJS needs decorator metadata, which esbuild (vitest's default transform) does not emit:
// without SWC, constructor injection silently receives `undefined`.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2023',
      },
    }),
  ],
  resolve: {
    // Tests run against the libraries' sources, so `npm test` needs no build first.
    alias: {
      // Nest requires these (CommonJS) while DTOs import them; Vite would resolve the imports to
      // their "module" builds — a second copy, whose @Type metadata Nest's copy never sees. Node
      // itself loads the CommonJS build for both, and so must vite-node's service processes.
      'class-transformer': fileURLToPath(
        new URL('./node_modules/class-transformer/cjs/index.js', import.meta.url),
      ),
      'class-validator': fileURLToPath(
        new URL('./node_modules/class-validator/cjs/index.js', import.meta.url),
      ),
      '@helpline/config': src('libs/config'),
      '@helpline/cognito-pool': src('infra/cognito'),
      '@helpline/common': src('libs/common'),
      '@helpline/auth': src('libs/auth'),
      '@helpline/http': src('libs/http'),
      '@helpline/testing': src('libs/testing'),
      '@helpline/local-postgres': src('tools/local-postgres'),
      '@helpline/cognito-triggers': src('infra/triggers'),
      '@helpline/identity': src('apps/identity'),
    },
  },
  test: {
    include: ['{apps,libs,tools,infra}/*/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    exclude: ['**/node_modules/**', ...(cdkInstalled ? [] : ['infra/cdk/**'])],
    environment: 'node',
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
    globalSetup: ['./tools/vitest-global-setup.ts'],
  },
});
