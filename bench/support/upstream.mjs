#!/usr/bin/env node
// The upstream of the proxy benchmark: a minimal Fastify server answering every GET with a small
// JSON body at once, so that what the benchmark measures is the proxy in front of it.
// Usage: node bench/support/upstream.mjs <port>
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const body = {
  items: [
    { id: 'b0000000-0000-4000-8000-000000000001', sku: 'KB-001', name: 'Mechanical Keyboard', price: 12800 },
    { id: 'b0000000-0000-4000-8000-000000000002', sku: 'MS-002', name: 'Wireless Mouse', price: 4980 },
  ],
  nextCursor: null,
};
const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
app.get('/*', async () => body);
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
