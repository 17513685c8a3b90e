#!/usr/bin/env node
// Builds the browser app into dist/app with Vite, unless dist/app is newer than everything it is
// made from: the root `npm run build` (and so every `npm start`) calls this, and a rebuild costs
// seconds. `--force` builds anyway.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist/app/.built');
const INPUTS = [
  'src',
  'public',
  'index.html',
  'vite.config.ts',
  'package.json',
  'tsconfig.json',
  '../../package-lock.json',
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changedAt = Math.max(...INPUTS.map((input) => newest(join(root, input))));
if (!process.argv.includes('--force') && builtAt > changedAt) {
  process.stdout.write('web: dist/app is up to date\n');
} else {
  const { build } = await import('vite');
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stdout.write('web: built dist/app\n');
}
