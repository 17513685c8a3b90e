import type { FastifyInstance } from 'fastify';

/** `/health/live` answers while the process runs; `/health/ready` once keys and stores are loaded. */
export async function healthRoutes(app: FastifyInstance, isReady: () => boolean): Promise<void> {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) =>
    isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
  );
}
