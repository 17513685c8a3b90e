#!/usr/bin/env node
// The gateway's speed, in one run (README, "Speed" under the API gateway):
//
// 1. The proxy alone, in front of a minimal Fastify upstream (bench/support/upstream.mjs), so that
//    the proxy is what is measured: the upstream called directly; a bare Fastify + reply-from
//    proxy (bench/support/bare-proxy.mjs); nginx doing plain proxy_pass (Debian's package,
//    installed here when missing); and the full gateway — JWT verified (RS256, identity's keys),
//    usage plans decided, access log written — all with the same token, connections and duration.
//    This machine's speed drifts by up to 2× over minutes, so the four are measured in turns:
//    --rounds rounds (5) of --duration / --rounds seconds each, every round running all four one
//    after the other. req/s is over all rounds; each ratio is the median of the rounds' ratios, so
//    that a slow minute weighs on both sides of a ratio instead of on one; the table also shows the
//    lowest and highest round's, so that a reader sees how far one round strays. Each scenario
//    first runs --warmup seconds (5) of the same load alone: V8 optimises the gateway's code (more
//    of it than the bare proxy's, in each of two workers) over the first seconds, and the first
//    round otherwise measured that.
// 2. End to end through the gateway of the running stack to the real services on the embedded
//    PostgreSQL: GET /products, and POST /orders with an Idempotency-Key of its own per request,
//    one unit of one of 8 products in turn. Each after --e2e-warmup seconds (10) of the same load:
//    a service answers its first few thousand requests with code V8 has not optimised yet, and the
//    target is about the stack in service, not just started.
//
// It starts the whole stack itself (npm start's launcher, on a fresh data directory), prints a
// table of req/s, p50/p99 and the ratios, and saves the results as JSON in bench/results/.
// Targets on a 2-core machine: gateway ≥ 0.9× the bare proxy and ≥ 0.6× nginx; POST /orders end to
// end ≥ 400/s with p99 < 150 ms and no errors at 32 connections. It reports; it asserts nothing.
//
// Usage: npm run build && node bench/gateway.mjs [--duration 10] [--rounds 5] [--warmup 5] [--e2e-warmup 10]
//        [--connections 32] [--workers auto|N] [--no-nginx] [--readme: write the table into README.md]
// Loopback only; every scenario is bounded by --duration.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { signIn } from '../tools/demo-sign-in.mjs';
import { createBenchProducts } from './support/catalogue.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION_S = arg('duration', 10);
const CONNECTIONS = arg('connections', 32);
/** Each proxy scenario's warm-up, before the rounds: the gateway's two workers each have more code for V8 to optimise than the bare proxy has. */
const WARMUP_S = arg('warmup', 5);
const ROUNDS = Math.max(1, arg('rounds', 5));
const E2E_WARMUP_S = arg('e2e-warmup', 10);
const WITH_NGINX = !process.argv.includes('--no-nginx');
/** The gateway as it would be deployed on this machine: one worker per core. */
const WORKERS = process.argv.includes('--workers')
  ? process.argv[process.argv.indexOf('--workers') + 1]
  : 'auto';
const root = process.cwd();
const say = (line) => process.stdout.write(`${line}\n`);
const children = [];

if (!existsSync(join(root, 'apps/api-gateway/dist/main.js'))) {
  say('gateway bench: nothing built yet — run npm run build first');
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A child process of ours, stopped at the end by its PID. */
function start(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], ...options });
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  child.output = () => stderr;
  children.push(child);
  return child;
}

async function waitFor(url, child, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited: ${child.output()}`);
    const res = await fetch(url).catch(() => undefined);
    if (res) {
      await res.arrayBuffer();
      if (res.status < 500) return;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url}: ${child.output()}`);
    await delay(50);
  }
}

async function stopAll() {
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(child.stopSignal ?? 'SIGTERM');
    await Promise.race([exited, delay(15_000).then(() => child.kill('SIGKILL'))]);
  }
}

/** The stack as npm start runs it, on a data directory of its own; resolves once it is ready. */
async function startStack(dataDir) {
  const launcher = spawn(process.execPath, ['tools/launcher/dist/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      NO_COLOR: '1',
      LOG_FORMAT: 'json',
      HELPLINE_DATA_DIR: dataDir,
      GATEWAY_USAGE_PLANS_FILE: join(root, 'bench/usage-plans.bench.json'),
      GATEWAY_WORKERS: WORKERS,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launcher.stopSignal = 'SIGINT';
  children.push(launcher);
  let output = '';
  const keep = (c) => (output = (output + c).slice(-20_000));
  launcher.stdout.on('data', keep);
  launcher.stderr.on('data', keep);
  const deadline = Date.now() + 180_000;
  while (!output.includes('Press Ctrl-C to stop')) {
    if (launcher.exitCode !== null || Date.now() > deadline)
      throw new Error(`the stack did not come up:\n${output}`);
    await delay(50);
  }
  // Its logs are not the subject; stop holding them.
  launcher.stdout.removeListener('data', keep);
  launcher.stdout.resume();
}

function ensureNginx() {
  const found = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (found) return found;
  say("nginx is not installed: installing Debian's package (apt-get install nginx)...");
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx'], { stdio: 'ignore', env });
  } catch (error) {
    say(`  could not install nginx (${error.message.split('\n')[0]}); its row is left out`);
    return undefined;
  }
  return ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
}

async function startNginx(binary, port, upstreamPort, dir) {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  // Plain proxy_pass with upstream keep-alive, one worker per core: nginx as it is usually run.
  writeFileSync(
    conf,
    `worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`,
  );
  const child = start(binary, ['-p', dir, '-c', conf, '-g', 'daemon off;']);
  child.stopSignal = 'SIGQUIT';
  await waitFor(`http://127.0.0.1:${port}/products`, child, 'nginx');
  return child;
}

const README_START = '<!-- bench:gateway -->';
const README_END = '<!-- /bench:gateway -->';

/** The results as the README shows them: one table, the ratios, the targets. */
function renderTable(r) {
  const rows = [
    ...r.proxy.map((e) => ({ ...e, name: `proxy: ${e.name}` })),
    ...r.endToEnd.map((e) => ({ ...e, name: `end to end: ${e.name}` })),
  ];
  const lines = [
    `${r.date.slice(0, 10)}, ${r.machine.cpus} cores, Node ${r.machine.node}, gateway workers: ${r.workers}, ${r.connections} connections, ${r.durationS} s each (the proxy scenarios in ${r.rounds} rounds, in turn, after ${r.warmupS} s of warm-up each; ratios are the median of the rounds', beside the lowest and highest round), end to end after ${r.e2eWarmupS} s of warm-up`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | non-2xx | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (e) =>
        `| ${e.name} | ${e.reqPerSec} | ${e.p50Ms} | ${e.p99Ms} | ${e.non2xx} | ${e.errors + e.timeouts} |`,
    ),
    '',
    '| ratio | value | rounds | target |',
    '| --- | ---: | ---: | --- |',
  ];
  const targets = { gatewayVsBare: '≥ 0.9', gatewayVsNginx: '≥ 0.6' };
  for (const [name, value] of Object.entries(r.ratios)) {
    const range = r.ratioRanges?.[name];
    if (value !== undefined) {
      lines.push(
        `| ${name} | ${value} | ${range ? `${range[0]}–${range[1]}` : ''} | ${targets[name] ?? ''} |`,
      );
    }
  }
  lines.push(
    '',
    ...Object.entries(r.targets).map(([name, met]) => `- ${met ? 'met' : '**not met**'}: ${name}`),
  );
  return lines.join('\n');
}

/** One autocannon run; the figures the table shows. */
async function run(name, options, durationS) {
  const r = await autocannon({ ...options, connections: CONNECTIONS, duration: durationS });
  return {
    name,
    reqPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

function report(row) {
  say(
    `  ${row.name.padEnd(34)} ${String(row.reqPerSec).padStart(7)} req/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms` +
      (row.non2xx || row.errors || row.timeouts
        ? `  (non-2xx ${row.non2xx}, errors ${row.errors}, timeouts ${row.timeouts})`
        : ''),
  );
  return row;
}

/** One scenario after a warm-up of the same load. */
async function measure(name, options, warmupS = WARMUP_S) {
  await autocannon({ ...options, connections: CONNECTIONS, duration: warmupS });
  return report(await run(name, options, DURATION_S));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The proxy scenarios in turns (see the top of this file): every scenario warmed up once, then
 * ROUNDS rounds of all of them. One row per scenario (req/s over all its rounds, the worst round's
 * p99), and the rounds themselves for the ratios.
 */
async function measureInTurns(scenarios) {
  for (const [, options] of scenarios) {
    await autocannon({ ...options, connections: CONNECTIONS, duration: WARMUP_S });
  }
  const perRound = Math.max(1, Math.round(DURATION_S / ROUNDS));
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round = {};
    for (const [name, options] of scenarios) round[name] = await run(name, options, perRound);
    rounds.push(round);
    say(
      `  round ${i + 1}/${ROUNDS}: ` +
        scenarios.map(([name]) => `${name.split(' ')[0]} ${round[name].reqPerSec}`).join(', '),
    );
  }
  const rows = scenarios.map(([name]) => {
    const all = rounds.map((round) => round[name]);
    const sum = (key) => all.reduce((total, row) => total + row[key], 0);
    return report({
      name,
      reqPerSec: Math.round(sum('total') / (perRound * ROUNDS)),
      p50Ms: median(all.map((row) => row.p50Ms)),
      p99Ms: Math.max(...all.map((row) => row.p99Ms)),
      maxMs: Math.max(...all.map((row) => row.maxMs)),
      total: sum('total'),
      non2xx: sum('non2xx'),
      errors: sum('errors'),
      timeouts: sum('timeouts'),
    });
  });
  return { rows, rounds };
}

const dataDir = mkdtempSync(join(tmpdir(), 'helpline-bench-gw-'));
chmodSync(dataDir, 0o755);
const nginxDir = mkdtempSync(join(tmpdir(), 'helpline-bench-nginx-'));
const results = {
  date: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  durationS: DURATION_S,
  warmupS: WARMUP_S,
  e2eWarmupS: E2E_WARMUP_S,
  connections: CONNECTIONS,
  workers: WORKERS,
  proxy: [],
  endToEnd: [],
};

try {
  say(
    `gateway bench: ${DURATION_S} s per scenario after ${WARMUP_S} s of warm-up, ${CONNECTIONS} connections`,
  );
  say("starting the stack (npm start's launcher, fresh data directory)...");
  await startStack(dataDir);
  const [user, manager] = (
    await Promise.all([signIn('user@example.com'), signIn('manager@example.com')])
  ).map((r) => r.AccessToken);
  const auth = { authorization: `Bearer ${user}` };

  const [upstreamPort, barePort, nginxPort, gatewayPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  const upstream = start(process.execPath, ['bench/support/upstream.mjs', String(upstreamPort)]);
  await waitFor(`${upstreamUrl}/products`, upstream, 'the upstream');
  const bare = start(process.execPath, ['bench/support/bare-proxy.mjs', String(barePort), upstreamUrl]);
  await waitFor(`http://127.0.0.1:${barePort}/products`, bare, 'the bare proxy');
  const nginxBinary = WITH_NGINX ? ensureNginx() : undefined;
  if (nginxBinary) await startNginx(nginxBinary, nginxPort, upstreamPort, nginxDir);
  // A second gateway, the stack's own build and configuration, routing to the minimal upstream.
  const gateway = start(process.execPath, ['apps/api-gateway/dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(gatewayPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: 'postgres://api_gateway:api_gateway-local@127.0.0.1:55432/gateway',
      JWT_JWKS_URI: 'http://localhost:9229/ap-northeast-1_helplinelocal/.well-known/jwks.json',
      JWT_ISSUER: 'http://localhost:9229/ap-northeast-1_helplinelocal',
      JWT_AUDIENCE: 'helpline-spa,helpline-api,order-service,user-provisioner',
      USER_SERVICE_URL: upstreamUrl,
      ORDER_SERVICE_URL: upstreamUrl,
      PRODUCT_SERVICE_URL: upstreamUrl,
      GATEWAY_USAGE_PLANS_FILE: join(root, 'bench/usage-plans.bench.json'),
      GATEWAY_WORKERS: WORKERS,
    },
  });
  await waitFor(`http://127.0.0.1:${gatewayPort}/health/live`, gateway, 'the gateway');

  say(
    `\nthe proxy alone: GET /products, answered at once by a minimal Fastify upstream; ${ROUNDS} rounds in turn`,
  );
  const path = '/products?limit=20';
  const scenarios = [
    ['direct (no proxy)', { url: `${upstreamUrl}${path}`, headers: auth }],
    ['bare Fastify + reply-from', { url: `http://127.0.0.1:${barePort}${path}`, headers: auth }],
    ...(nginxBinary
      ? [['nginx proxy_pass', { url: `http://127.0.0.1:${nginxPort}${path}`, headers: auth }]]
      : []),
    ['gateway (JWT, plans, access log)', { url: `http://127.0.0.1:${gatewayPort}${path}`, headers: auth }],
  ];
  const proxy = await measureInTurns(scenarios);
  results.proxy.push(...proxy.rows);

  say('\nend to end through the gateway (:8080) to the services on the embedded PostgreSQL');
  // A small catalogue, ordered from in turn: a shop's orders spread over its products (one hot
  // product would measure one row lock instead).
  const products = await createBenchProducts('http://127.0.0.1:8080', manager);
  results.endToEnd.push(
    await measure(
      'GET /products (limit 20)',
      { url: `http://127.0.0.1:8080${path}`, headers: auth },
      E2E_WARMUP_S,
    ),
  );
  let next = 0;
  results.endToEnd.push(
    await measure(
      'POST /orders (1 unit, own key)',
      {
        url: 'http://127.0.0.1:8080/orders',
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, 'idempotency-key': randomUUID() },
              body: JSON.stringify({
                items: [{ productId: products[next++ % products.length], quantity: 1 }],
              }),
            }),
          },
        ],
      },
      E2E_WARMUP_S,
    ),
  );

  const nameOf = (prefix) => scenarios.find(([name]) => name.startsWith(prefix))?.[0];
  /** Each round's a/b, the two figures measured a few seconds apart; undefined without both. */
  const roundRatios = (a, b) => {
    const [nameA, nameB] = [nameOf(a), nameOf(b)];
    if (!nameA || !nameB) return undefined;
    return proxy.rounds.map((round) => round[nameA].reqPerSec / round[nameB].reqPerSec);
  };
  const round2 = (value) => Math.round(value * 100) / 100;
  const pairs = {
    bareVsDirect: ['bare', 'direct'],
    nginxVsDirect: ['nginx', 'direct'],
    gatewayVsDirect: ['gateway', 'direct'],
    gatewayVsBare: ['gateway', 'bare'],
    gatewayVsNginx: ['gateway', 'nginx'],
  };
  const byPair = (summarise) =>
    Object.fromEntries(
      Object.entries(pairs).map(([name, [a, b]]) => {
        const values = roundRatios(a, b);
        return [name, values && summarise(values)];
      }),
    );
  results.rounds = ROUNDS;
  results.proxyRounds = proxy.rounds.map((round) =>
    Object.fromEntries(Object.entries(round).map(([name, row]) => [name, row.reqPerSec])),
  );
  // The median of the rounds' ratios, and the lowest and highest: how far one round strays.
  results.ratios = byPair((values) => round2(median(values)));
  results.ratioRanges = byPair((values) => [round2(Math.min(...values)), round2(Math.max(...values))]);
  const orders = results.endToEnd[1];
  results.targets = {
    'gateway >= 0.9x bare reply-from': (results.ratios.gatewayVsBare ?? 0) >= 0.9,
    ...(results.ratios.gatewayVsNginx !== undefined
      ? { 'gateway >= 0.6x nginx': results.ratios.gatewayVsNginx >= 0.6 }
      : {}),
    'POST /orders >= 400/s, p99 < 150 ms, no errors':
      orders.reqPerSec >= 400 &&
      orders.p99Ms < 150 &&
      orders.non2xx === 0 &&
      orders.errors === 0 &&
      orders.timeouts === 0,
  };

  const table = renderTable(results);
  say(`\n${table}`);

  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `gateway-${results.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(root, 'bench/results/gateway-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`\nsaved ${file.slice(root.length + 1)} and bench/results/gateway-latest.json`);
  if (process.argv.includes('--readme')) {
    const readme = join(root, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const start = text.indexOf(README_START);
    const end = text.indexOf(README_END);
    if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} block`);
    writeFileSync(readme, `${text.slice(0, start + README_START.length)}\n\n${table}\n\n${text.slice(end)}`);
    // The table as Prettier lays it out, so that `npm run lint` stays clean.
    execFileSync(join(root, 'node_modules/.bin/prettier'), ['--write', readme], { stdio: 'ignore' });
    say('updated the table in README.md');
  }
} finally {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(nginxDir, { recursive: true, force: true });
}
