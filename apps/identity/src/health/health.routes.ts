import type { FastifyInstance } from 'fastify';

/**
 * `/health/live` and `/health/ready`. Identity listens only once its keys and stores are loaded (they are
 * loaded before the server is built), so whoever can reach it finds it ready.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async () => ({ status: 'ok' }));
}
