import cluster from 'node:cluster';
import type { MetricsService } from '@helpline/common';
import { AggregatorRegistry } from 'prom-client';
import { METRICS_MESSAGE, type MetricsReply } from './messages.js';

const ASK_TIMEOUT_MS = 5_000;

/**
 * In a worker of several: `/metrics` answers with the sum of every worker's metrics (the primary
 * gathers them), so that a scrape sees the whole gateway whichever worker it reaches.
 */
export function shareMetricsWithPrimary(metrics: MetricsService): void {
  if (!cluster.isWorker) return;
  // Answers the primary's requests for this worker's metrics (prom-client's cluster protocol).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  const pending = new Map<number, (reply: MetricsReply) => void>();
  let nextId = 1;
  process.on('message', (message: MetricsReply) => {
    if (message?.type !== METRICS_MESSAGE) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  metrics.useSource(
    () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the primary process did not send the metrics'));
        }, ASK_TIMEOUT_MS);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          if (reply.text !== undefined) resolve(reply.text);
          else reject(new Error(reply.error ?? 'no metrics'));
        });
        process.send?.({ type: METRICS_MESSAGE, id });
      }),
  );
}
