// The images' entrypoint: `node /app/start.mjs apps/<app>/dist/main.js`. It runs the app in this
// same process (node stays PID 1, or tini's only child, and gets SIGTERM itself), after one
// thing: on AWS, ECS injects the database's connection details from Secrets Manager as separate
// variables (DATABASE_HOST, _PORT, _NAME, _USER, _PASSWORD: the fields of RDS's secret), and the
// services read one DATABASE_URL. When DATABASE_URL is unset and those are set, it is built from
// them, with DATABASE_SSLMODE (and DATABASE_SSLROOTCERT) as its TLS settings.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export function databaseUrl(env) {
  if (env.DATABASE_URL || !env.DATABASE_HOST) return undefined;
  const missing = ['DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`DATABASE_HOST is set but ${missing.join(', ')} is not`);
  const url = new URL('postgres://localhost');
  url.hostname = env.DATABASE_HOST;
  url.port = env.DATABASE_PORT || '5432';
  url.pathname = `/${encodeURIComponent(env.DATABASE_NAME)}`;
  url.username = encodeURIComponent(env.DATABASE_USER);
  url.password = encodeURIComponent(env.DATABASE_PASSWORD);
  if (env.DATABASE_SSLMODE) url.searchParams.set('sslmode', env.DATABASE_SSLMODE);
  if (env.DATABASE_SSLROOTCERT) url.searchParams.set('sslrootcert', env.DATABASE_SSLROOTCERT);
  return url.toString();
}

const main = process.argv[2];
if (main) {
  try {
    const url = databaseUrl(process.env);
    if (url) process.env.DATABASE_URL = url;
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  // Not passed on: the parts are in DATABASE_URL now, and nothing else should read the password.
  delete process.env.DATABASE_PASSWORD;
  await import(pathToFileURL(isAbsolute(main) ? main : resolve(main)).href);
}
