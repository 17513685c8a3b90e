import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenAPIObject } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiDocs } from './api-docs.js';

const problem = { type: 'object', properties: { code: { type: 'string' } } };
const own: OpenAPIObject = {
  openapi: '3.0.0',
  info: { title: 'helpline API', version: '1.0', description: 'All of it.' },
  paths: { '/admin/api-keys': { get: { responses: { 200: { description: 'ok' } } } } },
  components: { schemas: { ProblemDto: problem } },
};

function serviceDocument(paths: Record<string, unknown>, schemas: Record<string, unknown>): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 's', version: '1' },
    paths,
    components: { schemas },
  } as OpenAPIObject;
}

describe('ApiDocs', () => {
  let server: Server;
  let base: string;
  let requests = 0;

  beforeAll(async () => {
    const documents: Record<string, OpenAPIObject> = {
      '/users/docs/json': serviceDocument(
        {
          '/users/me': {
            get: {
              responses: {
                200: {
                  content: { 'application/json': { schema: { $ref: '#/components/schemas/UserDto' } } },
                },
              },
            },
          },
          '/health/ready': { get: { responses: {} } },
        },
        { UserDto: { type: 'object' }, ProblemDto: problem },
      ),
      '/orders/docs/json': serviceDocument(
        {
          '/orders': {
            post: {
              responses: {
                201: {
                  content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderDto' } } },
                },
              },
            },
          },
        },
        // The same name as user-service's, another shape.
        {
          OrderDto: { type: 'object', properties: { user: { $ref: '#/components/schemas/UserDto' } } },
          UserDto: { type: 'string' },
        },
      ),
    };
    server = createServer((req, res) => {
      requests++;
      const document = documents[req.url ?? ''];
      res.writeHead(document ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(document ?? {}));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('merges the routed paths of every service, renames clashing schemas, and names a service it could not reach', async () => {
    const docs = new ApiDocs({
      'user-service': `${base}/users`,
      'order-service': `${base}/orders`,
      'product-service': `${base}/products`,
    });
    const merged = await docs.merged(own);
    expect(Object.keys(merged.paths)).toEqual(['/admin/api-keys', '/users/me', '/orders']);
    expect(merged.components!.schemas).toMatchObject({
      ProblemDto: problem,
      UserDto: { type: 'object' },
      OrderServiceUserDto: { type: 'string' },
      OrderDto: { properties: { user: { $ref: '#/components/schemas/OrderServiceUserDto' } } },
    });
    expect(merged.components!.securitySchemes).toHaveProperty('apiKey');
    expect(merged.info.description).toContain(
      'Not included (their documents could not be fetched): product-service.',
    );
    // The gateway's own document is left as it was.
    expect(Object.keys(own.paths)).toEqual(['/admin/api-keys']);

    const fetched = requests;
    await docs.merged(own);
    // Reused for 30 s; only the one that failed is asked again.
    expect(requests - fetched).toBe(1);
  });
});
