import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { freePort } from '@helpline/testing';

/**
 * Whether redis-server is installed (it is on CI and on the machines this project targets). Tests
 * that need a Redis of their own are skipped without it, and say so on stderr.
 */
export const redisServerInstalled = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export function noteSkippedWithoutRedis(what: string): void {
  if (!redisServerInstalled) process.stderr.write(`${what}: redis-server is not installed; skipped\n`);
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM, then waits); `start` brings it back on the same port, empty. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that accepts connections and never answers, then answers again. */
  freeze(): void;
  thaw(): void;
}

/** PEM files for a Redis that speaks TLS only, as ElastiCache with encryption in transit does. */
export interface RedisTlsFiles {
  cert: string;
  key: string;
  /** The CA that signed `cert`, in PEM: what a client must trust. */
  ca: string;
  caPem: string;
}

export interface RedisServerOptions {
  /** TLS only (no plain port), with this certificate. */
  tls?: RedisTlsFiles;
  /** Redis AUTH (`requirepass`). */
  password?: string;
}

/**
 * A redis-server of the test's own on a free port, without persistence: for tests that stop it,
 * never the machine's shared one.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = [
    ...(options.tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no']
      : ['--port', String(port)]),
    ...(options.tls
      ? [
          '--tls-cert-file',
          options.tls.cert,
          '--tls-key-file',
          options.tls.key,
          '--tls-ca-cert-file',
          options.tls.ca,
        ]
      : []),
    ...(options.password ? ['--requirepass', options.password] : []),
    ...['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  ];

  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port, options))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}127.0.0.1:${port}`,
    port,
    stop,
    start,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
  };
}

function answersPing(port: number, options: RedisServerOptions = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = options.tls
      ? connectTls({ port, host: '127.0.0.1', ca: options.tls.caPem, servername: 'localhost' })
      : createConnection({ port, host: '127.0.0.1' });
    const auth = options.password ? `AUTH ${options.password}\r\n` : '';
    socket.once('error', () => resolve(false));
    socket.once(options.tls ? 'secureConnect' : 'connect', () => socket.write(`${auth}PING\r\n`));
    let seen = '';
    socket.on('data', (data) => {
      seen += data.toString();
      if (!seen.includes('PONG') && !seen.startsWith('-')) return;
      socket.destroy();
      resolve(seen.includes('+PONG'));
    });
  });
}
