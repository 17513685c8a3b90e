import type { FastifyInstance } from 'fastify';
import type { Outbox } from './outbox.js';

/**
 * `GET /_local/outbox?username=`: the emails Cognito would have sent (sign-up codes, invitations), for
 * tests and the web console's dev mode. Not registered at all with NODE_ENV=production.
 */
export async function outboxRoutes(app: FastifyInstance, outbox: Outbox): Promise<void> {
  app.get<{ Querystring: { username?: string } }>('/_local/outbox', async (request) => {
    const username =
      typeof request.query.username === 'string' && request.query.username
        ? request.query.username
        : undefined;
    return { items: outbox.list(username) };
  });
}
