import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Paths pino blanks out wherever they appear one level down (`*.x`) or in a request's headers: credentials,
 * secrets, tokens and authorization codes. Sign-up confirmation codes are not among them — they are the
 * local stand-in for Cognito's email and are logged on purpose.
 */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'password',
  'Password',
  'PASSWORD',
  'NEW_PASSWORD',
  'TemporaryPassword',
  'PreviousPassword',
  'ProposedPassword',
  'PASSWORD_CLAIM_SIGNATURE',
  'PASSWORD_CLAIM_SECRET_BLOCK',
  'SECRET_BLOCK',
  'secret',
  'clientSecret',
  'client_secret',
  'ClientSecret',
  'SecretHash',
  'SECRET_HASH',
  'code',
  'code_verifier',
  'token',
  'Token',
  'access_token',
  'id_token',
  'refresh_token',
  'AccessToken',
  'IdToken',
  'RefreshToken',
  'REFRESH_TOKEN',
  'Session',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { name: 'identity', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
