import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../errors/oauth-error.js';
import type { AppClient } from '../pool/pool-definition.js';
import type { Pool } from '../pool/pool.js';

export type FormBody = Record<string, string | string[] | undefined>;

/** One value of a form field; a repeated field is a malformed request (RFC 6749 §3.1). */
export function field(body: FormBody, name: string): string | undefined {
  const value = body[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `${name} is repeated`);
  return value === '' ? undefined : value;
}

/**
 * The calling app client, authenticated by HTTP Basic (client_secret_basic) or form fields
 * (client_secret_post); a public client names itself with `client_id` only.
 */
export function authenticateClient(request: FastifyRequest, body: FormBody, pool: Pool): AppClient {
  const basic = parseBasic(request.headers.authorization);
  const bodyId = field(body, 'client_id');
  const bodySecret = field(body, 'client_secret');
  if (basic && bodySecret) throw new OAuthError('invalid_request', 'client authenticated by two methods');
  if (basic && bodyId && bodyId !== basic.id)
    throw new OAuthError('invalid_client', 'client_id differs from Basic credentials');
  const clientId = basic?.id ?? bodyId;
  const secret = basic?.secret ?? bodySecret;
  const client = pool.client(clientId);
  if (!client) throw new OAuthError('invalid_client', `unknown client ${clientId ?? '(none)'}`);
  if (client.clientSecret) {
    if (!secret || !sameSecret(secret, client.clientSecret)) {
      throw new OAuthError('invalid_client', `wrong or missing secret for client ${client.clientId}`);
    }
  } else if (secret) {
    throw new OAuthError('invalid_client', `client ${client.clientId} has no secret`);
  }
  return client;
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) throw new OAuthError('invalid_client', 'malformed Authorization header');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before joining.
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'malformed Basic credentials');
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
