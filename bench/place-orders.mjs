#!/usr/bin/env node
// POST /orders with autocannon, the way issue 9 measures it: each request with its own
// Idempotency-Key, one unit of one of 8 products in turn. Straight at order-service (default) or
// through the gateway (--via gateway). Reports orders/s and latency, and — since the machine's
// speed varies — the CPU time each order costs every process of the stack (identity, the
// services, the gateway and the PostgreSQL cluster with its backends), from /proc.
//
// Needs the stack running (`npm start`); creates the products as the demo manager and orders as
// the demo user.
//
// Usage: node bench/place-orders.mjs [--duration 30] [--connections 32] [--warmup 3]
//                                    [--via orders|gateway] [--products 8]
// Loopback only; bounded by --duration.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { signIn } from '../tools/demo-sign-in.mjs';
import { createBenchProducts } from './support/catalogue.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const DURATION_S = Number(arg('duration', 30));
const WARMUP_S = Number(arg('warmup', 3));
const CONNECTIONS = Number(arg('connections', 32));
const PRODUCT_COUNT = Number(arg('products', 8));
const VIA = arg('via', 'orders');
const ORDERS = VIA === 'gateway' ? 'http://127.0.0.1:8080' : 'http://127.0.0.1:3001';
const PRODUCTS = 'http://127.0.0.1:3002';
const STOCK = 10_000_000;
const say = (line) => process.stdout.write(`${line}\n`);

// --- CPU accounting, from /proc (Linux only; skipped elsewhere) ---------------------------------
const PORTS = { identity: 9229, 'user-service': 3000, 'order-service': 3001, 'product-service': 3002 };
if (VIA === 'gateway') PORTS.gateway = 8080;
const TICK_MS = 1000 / 100; // USER_HZ

function listeners() {
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  const byPort = new Map();
  for (const line of out.split('\n')) {
    const port = Number(/:(\d+)\s/.exec(line)?.[1]);
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    if (port && pids.length) byPort.set(port, [...new Set([...(byPort.get(port) ?? []), ...pids])]);
  }
  return byPort;
}

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); utime is field 14, stime 15, cutime 16, cstime 17, ppid 4.
    return {
      ppid: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/** Ticks used so far by each part; PostgreSQL counts the postmaster, its children and the dead ones. */
function cpuTicks(byPort) {
  const ticks = {};
  // A part is the processes listening on its port and their children (the gateway's workers).
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.own]);
  }
  for (const [name, port] of Object.entries(PORTS)) {
    ticks[name] = (byPort.get(port) ?? []).reduce(
      (sum, pid) => sum + (stat(pid)?.own ?? 0) + (children.get(pid) ?? []).reduce((a, b) => a + b, 0),
      0,
    );
  }
  const postmaster = byPort.get(55432)?.[0];
  if (postmaster) {
    const root = stat(postmaster);
    let sum = (root?.own ?? 0) + (root?.children ?? 0);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const s = stat(Number(entry));
      if (s && s.ppid === postmaster) sum += s.own;
    }
    ticks.postgres = sum;
  }
  // npm start's launcher: it reads and reformats every log line of the parts.
  const launcher = stat((byPort.get(PORTS['order-service']) ?? [])[0])?.ppid;
  if (launcher && launcher !== 1) ticks.launcher = stat(launcher)?.own ?? 0;
  return ticks;
}

const linux = process.platform === 'linux';
const byPort = linux ? listeners() : new Map();

// --- set-up -------------------------------------------------------------------------------------
const token = async (username) => (await signIn(username)).AccessToken;
const [manager, user] = await Promise.all([token('manager@example.com'), token('user@example.com')]);
const products = await createBenchProducts(PRODUCTS, manager, { count: PRODUCT_COUNT, stock: STOCK });

let next = 0;
const options = {
  url: `${ORDERS}/orders`,
  method: 'POST',
  connections: CONNECTIONS,
  headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
  requests: [
    {
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ items: [{ productId: products[next++ % products.length], quantity: 1 }] }),
      }),
    },
  ],
};

say(
  `POST /orders via ${VIA}: ${DURATION_S} s after ${WARMUP_S} s of warm-up, ${CONNECTIONS} connections, ` +
    `own key, 1 unit of one of ${PRODUCT_COUNT} products in turn`,
);
let warm = { '2xx': 0, non2xx: 0, errors: 0, timeouts: 0 };
if (WARMUP_S > 0) warm = await autocannon({ ...options, duration: WARMUP_S });
const before = linux ? cpuTicks(byPort) : {};
const result = await autocannon({ ...options, duration: DURATION_S });
const after = linux ? cpuTicks(byPort) : {};

say(
  `orders/s: mean ${result.requests.average.toFixed(0)}, p50 ${result.requests.p50}, min ${result.requests.min}`,
);
say(
  `latency ms: p50 ${result.latency.p50}, p90 ${result.latency.p90}, p99 ${result.latency.p99}, max ${result.latency.max}`,
);
say(
  `responses: 2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}` +
    (result.non2xx
      ? ` (${Object.entries(result.statusCodeStats ?? {})
          .map(([status, { count }]) => `${status}: ${count}`)
          .join(', ')})`
      : ''),
);
if (linux && result['2xx'] > 0) {
  const per = Object.keys(after).map((name) => [
    name,
    ((after[name] - before[name]) * TICK_MS) / result['2xx'],
  ]);
  const total = per.reduce((sum, [, ms]) => sum + ms, 0);
  say(
    `CPU ms per order: total ${total.toFixed(2)} (` +
      per.map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ') +
      ')',
  );
}

// Every unit sold is an order answered 2xx, or one still in flight when the clock stopped (at most
// one a connection, per run).
let sold = 0;
for (const id of products) {
  const p = await (
    await fetch(`${PRODUCTS}/products/${id}`, { headers: { authorization: `Bearer ${user}` } })
  ).json();
  sold += STOCK - p.stock;
}
const counted = result['2xx'] + warm['2xx'];
const accounted = sold >= counted && sold <= counted + 2 * CONNECTIONS;
say(`units sold: ${sold} (${counted} counted 2xx, and up to ${2 * CONNECTIONS} still in flight at the ends)`);
const failed = result.non2xx + result.errors + warm.non2xx + warm.errors;
process.exitCode = failed === 0 && accounted ? 0 : 1;
