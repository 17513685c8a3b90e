#!/usr/bin/env node
// Calls between services: @helpline/http's ServiceHttpClient (an undici keep-alive Agent, with
// cockatiel's breaker and retry around each call; it was @nestjs/axios until issue 9) against the
// bare clients, on the "order path" shape: small JSON GETs to one upstream, many in flight.
//
// The upstream is a node:http server on 127.0.0.1 in a child process (so its CPU is not counted
// as the client's, and each side has a core), answering a 90-byte JSON body with keep-alive. Each
// client makes --requests GETs (default 20,000) at --concurrency (default 32) after a warm-up, in
// --rounds interleaved rounds (default 3); the summary is each client's median round. Reported:
// requests per second, p50/p99 latency, and the client process's CPU time per request.
// Bounded: a fixed count of requests, each run stops issuing after 60 s, loopback only.
//
// undici is not in this repository's tree (`npm ls undici` is empty; Node's fetch embeds its own
// copy). Node's fetch is always measured; `undici.request` on a Pool is measured too when the
// package can be loaded: from the repository, or from a directory given as UNDICI_DIR, e.g.
//   npm i --prefix /tmp/undici-bench undici@7
//   UNDICI_DIR=/tmp/undici-bench node bench/http-client.mjs
//
// Usage: npm run build (or npx tsc -b libs/http) && node bench/http-client.mjs [--requests 20000]
//        [--concurrency 32] [--rounds 3]
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const say = (line) => process.stdout.write(`${line}\n`);
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const REQUESTS = arg('requests', 20_000);
const CONCURRENCY = arg('concurrency', 32);
const ROUNDS = arg('rounds', 3);
const WARM_UP = Math.min(2_000, REQUESTS);
const RUN_LIMIT_MS = 60_000;
const PATH = '/products/p-1';
const BODY = JSON.stringify({ id: 'p-1', name: 'Widget', priceCents: 1299, stock: 42, currency: 'EUR' });

if (process.argv.includes('--serve')) serve();
else await main();

/** The upstream: answers every request with BODY, keeps connections alive. */
function serve() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}

async function main() {
  const root = process.cwd();
  if (!existsSync(join(root, 'libs/http/dist/index.js'))) {
    say('http-client bench: libs/http is not built — run npm run build (or npx tsc -b libs/http) first');
    process.exit(1);
  }
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: 'inherit' });
  const [{ port }] = await once(child, 'message');
  const base = `http://127.0.0.1:${port}`;
  const clients = await makeClients(base);

  say(
    `http-client bench: ${REQUESTS} GETs of ${Buffer.byteLength(BODY)} B JSON at concurrency ${CONCURRENCY}, ` +
      `${ROUNDS} round(s), upstream ${base} (own process), Node ${process.version}`,
  );
  const results = new Map(clients.map((c) => [c.name, []]));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const client of clients) {
        await run(client.get, WARM_UP);
        const result = await run(client.get, REQUESTS);
        results.get(client.name).push(result);
        say(`  round ${round}  ${client.name.padEnd(44)} ${format(result)}`);
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close?.()));
    child.disconnect();
  }

  say('');
  say(`median of ${ROUNDS} round(s):`);
  say(
    `  ${'client'.padEnd(52)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'CPU µs/req'.padStart(11)}`,
  );
  const medians = new Map();
  for (const [name, rounds] of results) {
    const median = [...rounds].sort((a, b) => a.rps - b.rps)[Math.floor(rounds.length / 2)];
    medians.set(name, median);
    say(
      `  ${name.padEnd(52)} ${median.rps.toFixed(0).padStart(8)} ${median.p50.toFixed(2).padStart(8)} ` +
        `${median.p99.toFixed(2).padStart(8)} ${median.cpuPerRequestUs.toFixed(1).padStart(11)}`,
    );
  }
  const ours = medians.get(clients[0].name);
  const undici = [...medians].find(([name]) => name.startsWith('undici.request'));
  if (undici) {
    const ratio = undici[1].rps / ours.rps;
    say('');
    say(
      `undici.request / ServiceHttpClient: ${ratio.toFixed(2)}x the throughput ` +
        `(${ratio > 1.5 ? 'over' : 'under'} the 1.5x that would reopen the choice of client)`,
    );
  }
}

/** Every client under test: a name, a function making one GET, and how to close it. */
async function makeClients(base) {
  const { NestFactory } = await import('@nestjs/core');
  const { Module } = await import('@nestjs/common');
  const { RequestContext } = await import('@helpline/common');
  const { HttpClientModule, ServiceHttpClient } = await import('@helpline/http');

  const options = {
    upstreams: { 'product-service': base },
    m2m: { getServiceToken: async () => 'bench-service-token', clearCache: () => undefined },
  };
  class BenchModule {}
  Module({ imports: [HttpClientModule.forRoot(options)] })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const client = app.get(ServiceHttpClient);
  const headers = { authorization: 'Bearer bench-caller-token', 'x-correlation-id': 'bench-1' };
  let n = 0;

  const clients = [
    {
      name: 'ServiceHttpClient (undici Agent, keep-alive, policies)',
      // As in a request: the caller's token and correlation id come from RequestContext.
      get: () =>
        RequestContext.run({ correlationId: `bench-${n++}`, authorization: headers.authorization }, () =>
          client.get('product-service', PATH),
        ),
      close: () => app.close(),
    },
  ];

  const undici = loadUndici();
  if (undici) {
    const pool = new undici.module.Pool(base, { connections: 64 });
    clients.push({
      name: `undici.request ${undici.version} (Pool, 64 connections)`,
      get: async () => (await pool.request({ path: PATH, method: 'GET', headers })).body.json(),
      close: () => pool.close(),
    });
  }
  clients.push({
    name: `fetch (Node's bundled undici ${process.versions.undici})`,
    get: async () => (await fetch(`${base}${PATH}`, { headers })).json(),
  });
  return clients;
}

function loadUndici() {
  for (const from of [process.env.UNDICI_DIR, process.cwd()].filter(Boolean)) {
    try {
      const require = createRequire(join(from, 'noop.js'));
      return { module: require('undici'), version: require('undici/package.json').version };
    } catch {
      // not there
    }
  }
  say('(undici is not installed here: undici.request is skipped; set UNDICI_DIR to measure it)');
  return undefined;
}

/** `count` GETs, `CONCURRENCY` at a time: throughput, latency percentiles, client CPU. */
async function run(get, count) {
  const latencies = new Float64Array(count);
  let next = 0;
  let done = 0;
  const deadline = performance.now() + RUN_LIMIT_MS;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      const body = await get();
      latencies[i] = performance.now() - t0;
      if (body?.id !== 'p-1') throw new Error(`unexpected body: ${JSON.stringify(body)}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const measured = latencies.subarray(0, done).sort();
  const pct = (p) => measured[Math.min(done - 1, Math.floor((p / 100) * done))];
  return {
    done,
    rps: done / seconds,
    p50: pct(50),
    p99: pct(99),
    cpuPerRequestUs: (cpu.user + cpu.system) / done,
  };
}

function format(r) {
  return (
    `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ` +
    `CPU ${r.cpuPerRequestUs.toFixed(1)} µs/req`
  );
}
