// The images' entrypoint: `node /app/start.mjs apps/<app>/dist/main.js`. It runs the app in this
// same process (node stays PID 1, or tini's only child, and gets SIGTERM itself), after one
// thing: on AWS, ECS injects the database's connection details from Secrets Manager as separate
// variables (DATABASE_HOST, _PORT, _NAME, _USER, _PASSWORD: the fields of RDS's secret), and the
// services read one DATABASE_URL. When DATABASE_URL is unset and those are set, it is built from
// them, with DATABASE_SSLMODE (and DATABASE_SSLROOTCERT) as its TLS settings. The gateway's Redis
// (ElastiCache) comes the same way: REDIS_HOST, REDIS_PORT, REDIS_TLS and the AUTH token as
// REDIS_PASSWORD become REDIS_URL, unless REDIS_URL is set.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export function databaseUrl(env) {
  if (env.DATABASE_URL || !env.DATABASE_HOST) return undefined;
  const missing = ['DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`DATABASE_HOST is set but ${missing.join(', ')} is not`);
  const url = new URL('postgres://localhost');
  setEndpoint(url, 'DATABASE', env.DATABASE_HOST, env.DATABASE_PORT || '5432');
  url.pathname = `/${encodeURIComponent(env.DATABASE_NAME)}`;
  url.username = encodeURIComponent(env.DATABASE_USER);
  url.password = encodeURIComponent(env.DATABASE_PASSWORD);
  if (env.DATABASE_SSLMODE) url.searchParams.set('sslmode', env.DATABASE_SSLMODE);
  if (env.DATABASE_SSLROOTCERT) url.searchParams.set('sslrootcert', env.DATABASE_SSLROOTCERT);
  return url.toString();
}

/**
 * Host and port, checked: URL's setters ignore what they cannot take, which would leave
 * `localhost` or no port in place of a mistyped value and connect somewhere else without a word.
 */
function setEndpoint(url, prefix, host, port) {
  url.hostname = host;
  if (url.hostname !== host) throw new Error(`${prefix}_HOST is not a host name: ${JSON.stringify(host)}`);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`${prefix}_PORT must be a port number from 1 to 65535, not ${JSON.stringify(port)}`);
  }
  url.port = port;
}

export function redisUrl(env) {
  if (env.REDIS_URL || !env.REDIS_HOST) return undefined;
  if (env.REDIS_TLS !== undefined && env.REDIS_TLS !== 'true' && env.REDIS_TLS !== 'false') {
    throw new Error(`REDIS_TLS must be "true" or "false", not ${JSON.stringify(env.REDIS_TLS)}`);
  }
  const url = new URL(env.REDIS_TLS === 'true' ? 'rediss://localhost' : 'redis://localhost');
  setEndpoint(url, 'REDIS', env.REDIS_HOST, env.REDIS_PORT || '6379');
  if (env.REDIS_PASSWORD) url.password = encodeURIComponent(env.REDIS_PASSWORD);
  return url.toString();
}

const main = process.argv[2];
if (main) {
  try {
    const url = databaseUrl(process.env);
    if (url) process.env.DATABASE_URL = url;
    const redis = redisUrl(process.env);
    if (redis) process.env.REDIS_URL = redis;
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  // Not passed on: the parts are in the URLs now, and nothing else should read the passwords.
  delete process.env.DATABASE_PASSWORD;
  delete process.env.REDIS_PASSWORD;
  await import(pathToFileURL(isAbsolute(main) ? main : resolve(main)).href);
}
