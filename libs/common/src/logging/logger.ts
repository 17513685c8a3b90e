import { type DestinationStream, pino } from 'pino';
import type { Params } from 'nestjs-pino';
import { RequestContext } from '../context/request-context.js';
import { serializeError } from './error-serializer.js';

/** Paths pino blanks out wherever they appear: credentials must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'authorization',
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
];

// Query parameters that can carry credentials (OAuth codes, tokens) or personal data (a filter by
// email) are masked in logged URLs.
const SENSITIVE_QUERY =
  /([?&](?:access_token|id_token|refresh_token|token|code|client_secret|password|api_key|email|name|phone)=)[^&#]*/gi;

export function sanitizeUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, '$1[REDACTED]');
}

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

export interface LoggerOptions {
  serviceName: string;
  level: string;
  /** Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

let stdout: DestinationStream | undefined;

/**
 * Standard output as every logger of the process writes it: asynchronously and in batches, so
 * that a busy service does not make one write system call per line. Lines go out once about 16 KB
 * have gathered or 100 ms have passed, whichever comes first, and all of them when the process
 * exits. One stream for all, so that lines of different loggers never interleave.
 *
 * 16 KB rather than 4: each write hands the threadpool a copy of the text and costs a callback
 * when done, and fewer, larger ones made a gateway request about 4 µs (6 %) cheaper, measured in
 * nine interleaved rounds. It stays under sonic-boom's largest single write (16 KiB), as it must.
 */
export function stdoutDestination(): DestinationStream {
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 16_000, periodicFlush: 100 });
  return stdout;
}

/**
 * nestjs-pino params: JSON lines, the correlation id on every line of a request, secrets redacted.
 *
 * nestjs-pino's own request middleware (pino-http behind Nest's middleware layer, a child logger
 * and a redaction pass per request) is left out: it cost about a third of a simple request's CPU.
 * The correlation id comes from the request context instead (`mixin`), and `createServiceApp`
 * writes the access line from a Fastify hook (`accessLogger`).
 */
export function loggerParams(options: LoggerOptions): Params {
  const pinoHttp: NonNullable<Params['pinoHttp']> = {
    level: options.level,
    base: { service: options.serviceName },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    // Lines logged while handling a request carry its correlation id; a field of the line's own
    // wins over it.
    mixin: correlationMixin,
    // Our serializer gets the raw error: pino-http's wrapping would hand it pino's flattened
    // copy, whose message already holds a failed query's parameters.
    wrapSerializers: false,
    serializers: { err: serializeError },
  };
  return {
    pinoHttp: [pinoHttp, options.destination ?? stdoutDestination()],
    renameContext: 'context',
    forRoutes: [],
  };
}

// pino merges the line's own fields into the object returned here, so it must be a new one.
function correlationMixin(): object {
  const correlationId = RequestContext.correlationId();
  return correlationId === undefined ? {} : { correlationId };
}

export interface AccessLine {
  method: string;
  /** As the client sent it; sensitive query values are masked here. */
  url: string;
  remoteAddress: string | undefined;
  userAgent: string | undefined;
  statusCode: number;
  responseTimeMs: number;
  correlationId: string;
  /** The caller closed the connection before the answer was sent. */
  aborted?: boolean;
}

const levelOf = (status: number) => (status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info');

/** The provider of the service's `AccessLogger`. */
export const ACCESS_LOGGER = 'helpline:access-logger';

export interface AccessLogger {
  (line: AccessLine): void;
}

/**
 * One line per request, as pino-http wrote it (`req`, `res`, `responseTime`, level by status; a
 * request its caller gave up on says `request aborted`, at warn), on the same stream as every
 * other line. Its fields are chosen and hold no credential, so it skips the redaction pass.
 * Readiness polls and metric scrapes are not logged.
 */
export function accessLogger(options: LoggerOptions): AccessLogger {
  const log = pino(
    { level: options.level, base: { service: options.serviceName } },
    options.destination ?? stdoutDestination(),
  );
  return (line) => {
    const path = line.url.split('?', 1)[0] as string;
    if (QUIET_ROUTES.has(path)) return;
    const level = line.aborted ? 'warn' : levelOf(line.statusCode);
    if (!log.isLevelEnabled(level)) return;
    log[level](
      {
        correlationId: line.correlationId,
        req: {
          method: line.method,
          url: sanitizeUrl(line.url),
          remoteAddress: line.remoteAddress,
          userAgent: line.userAgent,
        },
        ...(line.aborted ? {} : { res: { statusCode: line.statusCode } }),
        responseTime: Math.round(line.responseTimeMs),
      },
      line.aborted ? 'request aborted' : 'request completed',
    );
  };
}
