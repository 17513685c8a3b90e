#!/usr/bin/env node
// The baseline of the proxy benchmark: Fastify and @fastify/reply-from with nothing else — no
// authentication, no limits, no logs. What any gateway built on them pays at the least.
// Usage: node bench/support/bare-proxy.mjs <port> <upstream base URL>
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';

const [port, upstream] = [Number(process.argv[2]), process.argv[3]];
const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
await app.register(replyFrom, { base: upstream, undici: { connections: 128, pipelining: 1 } });
app.all('/*', (request, reply) => reply.from(request.url));
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
