import type { JSONWebKeySet } from 'jose';

/** Why a JWKS fetch failed, as reported in `keySetStatus().lastErrorKind`. */
export type JwksErrorKind = 'timeout' | 'network' | 'http-status' | 'malformed';

/** A failed JWKS fetch. The message names no URL (it may carry credentials): only what went wrong. */
export class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';

  constructor(
    readonly kind: JwksErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * One GET of the key set, bounded by `timeoutMs` from the request to the last byte of the body
 * (a server that accepts the connection and never answers costs at most that).
 */
export async function fetchJwks(url: URL, timeoutMs: number): Promise<JSONWebKeySet> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timeout = (cause: unknown) =>
    new JwksFetchError('timeout', `no answer within ${timeoutMs} ms`, { cause });
  let response: Response;
  try {
    response = await fetch(url, {
      signal,
      // A key set served from somewhere else is not the issuer's key set.
      redirect: 'manual',
      headers: { accept: 'application/json, application/jwk-set+json' },
    });
  } catch (error) {
    if (signal.aborted) throw timeout(error);
    // The cause's code (ECONNREFUSED, ECONNRESET…), not its message, which names the address.
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    throw new JwksFetchError('network', typeof code === 'string' ? code : 'fetch failed', { cause: error });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new JwksFetchError('http-status', `HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (signal.aborted) throw timeout(error);
    throw new JwksFetchError('malformed', 'the response is not JSON', { cause: error });
  }
  // An empty set would refuse every token; it is treated as a broken response, and the last
  // known keys stay in use, rather than as the issuer withdrawing every key at once.
  if (!isNonEmptyKeySet(body)) {
    throw new JwksFetchError('malformed', 'the response is not a JSON Web Key Set with at least one key');
  }
  return body;
}

function isNonEmptyKeySet(value: unknown): value is JSONWebKeySet {
  const keys = (value as { keys?: unknown } | null)?.keys;
  return (
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  );
}
