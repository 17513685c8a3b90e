import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PostConfirmationEvent } from './events.js';
import { createTriggerHandlers } from './handlers.js';
import { createPostConfirmationHandler, UserProvisioningError } from './post-confirmation.js';

const SUB = 'a0000000-0000-4000-8000-0000000000aa';

const event = (
  triggerSource: PostConfirmationEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp',
): PostConfirmationEvent => ({
  version: '1',
  region: 'ap-northeast-1',
  userPoolId: 'ap-northeast-1_helplinelocal',
  userName: SUB,
  callerContext: { awsSdkVersion: 'test', clientId: 'helpline-spa' },
  triggerSource,
  request: {
    userAttributes: {
      sub: SUB,
      email: 'ada@example.com',
      email_verified: 'true',
      'cognito:user_status': 'CONFIRMED',
    },
  },
  response: {},
});

describe('postConfirmation', () => {
  let server: Server;
  let url: string;
  let status: number[];
  const seen: { headers: IncomingHttpHeaders; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        seen.push({ headers: request.headers, body: JSON.parse(text) });
        response.writeHead(status.shift() ?? 500).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const handler = (userServiceUrl = url) =>
    createPostConfirmationHandler({
      userServiceUrl,
      tokens: { getServiceToken: async () => 'service-token' },
      timeoutMs: 2000,
    });

  it('POSTs {sub, email, name} to /users with the service token; 201 and then 200 both succeed', async () => {
    status = [201, 200];
    await handler()(event());
    await handler()(event());
    expect(seen).toHaveLength(2);
    expect(seen[0]?.body).toEqual({ sub: SUB, email: 'ada@example.com', name: 'ada@example.com' });
    expect(seen[0]?.headers).toMatchObject({
      authorization: 'Bearer service-token',
      'content-type': 'application/json',
    });
  });

  it('fails on any other answer, and when user-service is unreachable', async () => {
    status = [409];
    await expect(handler()(event())).rejects.toThrow(
      new UserProvisioningError('user-service answered 409 to POST /users'),
    );
    await expect(handler('http://127.0.0.1:1')(event())).rejects.toThrow(/user-service is unreachable/);
  });

  it('does nothing after a password reset', async () => {
    await handler()(event('PostConfirmation_ConfirmForgotPassword'));
    expect(seen).toHaveLength(0);
  });

  it('fails clearly without a client secret to get a service token with', async () => {
    const handlers = createTriggerHandlers({
      allowedEmailDomains: [],
      userServiceUrl: url,
      tokenUrl: 'http://127.0.0.1:1/oauth2/token',
      clientId: 'user-provisioner',
      clientSecret: undefined,
      scope: 'service/user.write',
      timeoutMs: 1000,
    });
    await expect(handlers.postConfirmation(event())).rejects.toThrow('SERVICE_CLIENT_SECRET is not set');
    expect(seen).toHaveLength(0);
  });
});
