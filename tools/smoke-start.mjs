#!/usr/bin/env node
// Checks `npm start` as a new user runs it: every part comes up (the launcher prints its banner
// only once all readiness checks answer, the embedded PostgreSQL's included), each service, the
// gateway and the console answer their readiness checks, a demo user signs in at identity and
// reads the catalogue through the gateway, and Ctrl-C (SIGINT) stops everything with exit code 0.
// Uses a throwaway data directory.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signIn } from './demo-sign-in.mjs';

const TIMEOUT_MS = 120_000;
const cwd = mkdtempSync(join(tmpdir(), 'helpline-smoke-'));
// Run as root, PostgreSQL runs as the postgres account, which must be able to enter this folder.
chmodSync(cwd, 0o755);
const root = process.cwd();
const child = spawn(process.execPath, [join(root, 'tools/launcher/dist/main.js')], {
  cwd: root,
  env: { ...process.env, NO_COLOR: '1', HELPLINE_DATA_DIR: cwd, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (chunk) => (output += chunk));
child.stderr.on('data', (chunk) => (output += chunk));

const fail = (message) => {
  process.stderr.write(`smoke-start: ${message}\n--- launcher output ---\n${output}\n`);
  child.kill('SIGKILL');
  rmSync(cwd, { recursive: true, force: true });
  process.exit(1);
};

const timer = setTimeout(() => fail(`not ready within ${TIMEOUT_MS / 1000}s`), TIMEOUT_MS);
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

let ready = false;
void exited.then(() => {
  if (!ready) fail('the launcher exited before everything was ready');
});
await new Promise((resolve) => {
  const check = setInterval(() => {
    if (output.includes('Press Ctrl-C to stop')) {
      clearInterval(check);
      ready = true;
      resolve();
    }
  }, 200);
});

for (const port of [3000, 3001, 3002, 9229, 8080, 5173]) {
  const url = `http://127.0.0.1:${port}/health/ready`;
  const res = await fetch(url).catch((error) => fail(`${url}: ${error.message}`));
  if (res.status !== 200) fail(`${url} answered ${res.status}`);
}
// Through the gateway, as a client: the catalogue, with a user's token from identity.
{
  const { AccessToken: token } = await signIn('user@example.com', {
    endpoint: 'http://127.0.0.1:9229',
  }).catch((error) => fail(`signing in at identity: ${error.message}`));
  const products = await fetch('http://127.0.0.1:8080/products', {
    headers: { authorization: `Bearer ${token}` },
  });
  if (products.status !== 200) fail(`GET /products through the gateway answered ${products.status}`);
}
child.kill('SIGINT');
const { code, signal } = await exited;
clearTimeout(timer);
rmSync(cwd, { recursive: true, force: true });
if (code !== 0) fail(`the launcher stopped with code ${code} signal ${signal} after SIGINT`);
process.stdout.write('smoke-start: every part ready, stopped cleanly on SIGINT\n');
