#!/usr/bin/env node
// POST /orders straight at order-service (no gateway), with autocannon: how many orders a second
// the order path sustains — user-service read, product-service reservation and commit, two writes
// to the orders database — and its latency. Needs the stack running (`npm start`); creates a
// product with plenty of stock (as the demo manager) and orders one unit at a time as the demo user.
//
// Usage: node bench/place-orders.mjs [--duration 30] [--connections 32]
// Loopback only; bounded by --duration.
import autocannon from 'autocannon';
import { signIn } from '../tools/demo-sign-in.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION_S = arg('duration', 30);
const CONNECTIONS = arg('connections', 32);
const ORDERS = 'http://127.0.0.1:3001';
const PRODUCTS = 'http://127.0.0.1:3002';
const say = (line) => process.stdout.write(`${line}\n`);

const token = async (username) => (await signIn(username)).AccessToken;

const [manager, user] = await Promise.all([token('manager@example.com'), token('user@example.com')]);
const created = await fetch(`${PRODUCTS}/products`, {
  method: 'POST',
  headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
  body: JSON.stringify({
    sku: `BENCH-${Date.now()}`,
    name: 'Bench widget',
    price: 100,
    currency: 'JPY',
    stock: 1_000_000,
  }),
});
if (created.status !== 201) throw new Error(`could not create the bench product: ${await created.text()}`);
const product = await created.json();

say(`POST /orders on order-service: ${DURATION_S} s, ${CONNECTIONS} connections, 1 unit per order`);
const result = await autocannon({
  url: `${ORDERS}/orders`,
  method: 'POST',
  connections: CONNECTIONS,
  duration: DURATION_S,
  headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
  body: JSON.stringify({ items: [{ productId: product.id, quantity: 1 }] }),
});
const after = await (
  await fetch(`${PRODUCTS}/products/${product.id}`, { headers: { authorization: `Bearer ${user}` } })
).json();
say(
  `orders/s: mean ${result.requests.average.toFixed(0)}, p50 ${result.requests.p50}, min ${result.requests.min}`,
);
say(
  `latency ms: p50 ${result.latency.p50}, p90 ${result.latency.p90}, p99 ${result.latency.p99}, max ${result.latency.max}`,
);
say(
  `responses: 2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
);
// Orders still in flight when the clock stopped are sold but not counted: at most one a connection.
const sold = 1_000_000 - after.stock;
const accounted = sold >= result['2xx'] && sold <= result['2xx'] + CONNECTIONS;
say(
  `units sold: ${sold} (${result['2xx']} counted 2xx, and up to ${CONNECTIONS} still in flight at the end)`,
);
process.exitCode = result.non2xx === 0 && result.errors === 0 && accounted ? 0 : 1;
