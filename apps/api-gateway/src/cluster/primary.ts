import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { stdoutDestination } from '@helpline/common';
import { pino } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { GatewayConfig } from '../config.js';
import { LeaseCoordinator } from '../limits/leases.js';
import { METRICS_MESSAGE, type MetricsReply, type MetricsRequest } from './messages.js';

/**
 * The script and arguments this process was started with, as the kernel has them: a runner that
 * rewrites `process.argv` (vite-node, in the tests) would otherwise start its workers without
 * their arguments. Undefined where /proc is not there; cluster's default is then used.
 */
function ownCommandLine(): { exec: string; args: string[] } | undefined {
  try {
    const parts = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean);
    const [exec, ...args] = parts.slice(1 + process.execArgv.length);
    return exec ? { exec, args } : undefined;
  } catch {
    return undefined;
  }
}

/** More restarts than this within RESTART_WINDOW_MS: something is wrong with every worker; give up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * The primary process of GATEWAY_WORKERS > 1: it serves no request itself. It starts the workers
 * (node:cluster; they share the port), keeps the usage-plan counters when they are in memory
 * (leases.ts), sums the workers' metrics for `/metrics`, starts a worker again when one dies, and
 * on SIGTERM/SIGINT stops them all and waits for them.
 */
export function runPrimary(config: GatewayConfig): void {
  const log = pino(
    { level: config.service.logLevel, base: { service: config.service.name, context: 'Primary' } },
    stdoutDestination(),
  );
  const coordinator = new LeaseCoordinator();
  const aggregator = new AggregatorRegistry();
  const restarts: number[] = [];
  let stopping = false;

  const onMessage = (worker: Worker, message: unknown) => {
    const reply = coordinator.handle(message);
    if (reply) {
      worker.send(reply);
      return;
    }
    if ((message as { type?: unknown })?.type === METRICS_MESSAGE) {
      const { id } = message as MetricsRequest;
      aggregator
        .clusterMetrics()
        .then((text) => worker.send({ type: METRICS_MESSAGE, id, text } satisfies MetricsReply))
        .catch((error: Error) =>
          worker.send({ type: METRICS_MESSAGE, id, error: error.message } satisfies MetricsReply),
        );
    }
  };

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message) => onMessage(worker, message));
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log.info('every worker has stopped');
        log.flush();
        process.exit(0);
      }
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      log.fatal(`${MAX_RESTARTS} workers died within a minute; stopping the gateway`);
      stopAll(1);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'a worker died; starting another');
    fork();
  });

  let exitCode = 0;
  function stopAll(code: number) {
    exitCode = code;
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // Each worker drains for SHUTDOWN_TIMEOUT_MS and exits; past that and a little more, stop them.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      log.flush();
      process.exit(exitCode || 1);
    }, config.service.shutdownTimeoutMs + 5_000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll(0));

  const command = ownCommandLine();
  if (command) cluster.setupPrimary(command);
  log.info(`starting ${config.workers} workers`);
  for (let i = 0; i < config.workers; i++) fork();
}
