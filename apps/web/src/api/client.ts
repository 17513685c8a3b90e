import { ApiError, toApiError, unreachable } from './problem';

type Query = Record<string, string | number | undefined | null>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
}

/** Where the client gets the caller's access token, and a fresh one once the gateway refuses it. */
export interface TokenSource {
  accessToken(): Promise<string | undefined>;
  /** A renewed token (refresh token grant), or undefined when the session cannot be renewed. */
  renew(): Promise<string | undefined>;
}

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, options?: RequestOptions): Promise<T>;
}

const EXPIRED = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID']);

/**
 * Every call of the console goes through the gateway with the caller's access token and a
 * correlation id of its own (so that even a call that got no answer has a reference to quote).
 * A token the gateway calls expired is renewed once and the call repeated.
 */
export function createApiClient(baseUrl: string, tokens: TokenSource): ApiClient {
  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<T> => {
    const url = new URL(`${baseUrl}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const attempt = async (token: string | undefined) => {
      const correlationId = `web-${crypto.randomUUID()}`;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            accept: 'application/json',
            'x-correlation-id': correlationId,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...options.headers,
          },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        });
      } catch {
        throw unreachable(correlationId);
      }
      if (!res.ok) throw await toApiError(res, correlationId);
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    };
    try {
      return await attempt(await tokens.accessToken());
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401 && EXPIRED.has(error.code))) throw error;
      const renewed = await tokens.renew();
      if (!renewed) throw error;
      return attempt(renewed);
    }
  };
  return {
    get: (path, query) => request('GET', path, { query }),
    send: (method, path, options) => request(method, path, options),
  };
}
