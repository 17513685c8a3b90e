import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DestinationStream, pino } from 'pino';
import type { Params } from 'nestjs-pino';
import { CORRELATION_ID_HEADER } from '../context/correlation-id.js';
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

// Nest's middleware layer (middie) rewrites req.url relative to the middleware's mount point;
// originalUrl keeps the path the client asked for.
function pathOf(req: IncomingMessage): string {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  return url.split('?')[0] ?? '';
}

export interface LoggerOptions {
  serviceName: string;
  level: string;
  /** Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

let stdout: DestinationStream | undefined;

/**
 * Standard output as every logger of the process writes it: asynchronously and in batches, so
 * that a busy service does not make one write system call per line. Lines go out once 4 KB have
 * gathered or 100 ms have passed, whichever comes first, and all of them when the process exits.
 * One stream for all, so that lines of different loggers never interleave.
 */
export function stdoutDestination(): DestinationStream {
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
  return stdout;
}

/** nestjs-pino params: JSON lines, the correlation id on every line of a request, secrets redacted. */
export function loggerParams(options: LoggerOptions): Params {
  const pinoHttp: NonNullable<Params['pinoHttp']> = {
    level: options.level,
    base: { service: options.serviceName },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    // The id fastify resolved (see correlation hook) travels on the raw request header.
    genReqId: (req: IncomingMessage) => req.headers[CORRELATION_ID_HEADER] as string,
    // Lines logged while handling a request carry just its correlation id; the completion line
    // carries the request and response too.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlationId' },
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.has(pathOf(req)) },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // Our serializers get the raw values: pino-http's wrapping would hand the error serializer
    // pino's flattened copy, whose message already holds a failed query's parameters.
    wrapSerializers: false,
    serializers: {
      // Only what is useful and safe: never the header bag, which holds credentials.
      req: (req: IncomingMessage) => ({
        method: req.method,
        url: sanitizeUrl((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url),
        remoteAddress: req.socket?.remoteAddress,
        userAgent: req.headers?.['user-agent'],
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
    // pino-http invents an Error ("failed with status code 503") for a 5xx without one; the
    // request's real error is already logged, with the same correlation id, where it was handled.
    customErrorObject: (
      _req: IncomingMessage,
      _res: ServerResponse,
      error: Error,
      fields: Record<string, unknown>,
    ) => (error.message.startsWith('failed with status code') ? { ...fields, err: undefined } : fields),
  };
  return {
    pinoHttp: [pinoHttp, options.destination ?? stdoutDestination()],
    renameContext: 'context',
    // nestjs-pino's default pattern ('{/*splat}') matches no route under Nest 12.5 on Fastify, which
    // silently drops request logging and the request context of every log line.
    forRoutes: ['{*path}'],
  };
}
