import { Inject, Injectable } from '@nestjs/common';
import { M2M_TOKEN_OPTIONS } from './auth.constants.js';
import { M2MTokenError } from './m2m-token.error.js';
import type { M2MTokenOptions } from './m2m-token.options.js';
import { assertM2MTokenOptions, M2M_TOKEN_DEFAULTS } from './m2m-token.options.js';

interface CachedToken {
  token: string;
  /** Epoch ms after which a new token is fetched (expiry minus the refresh margin). */
  refreshAt: number;
}

// OAuth error codes are short snake_case words; anything else from the body is not echoed.
const OAUTH_ERROR = /^[a-z_]{1,64}$/;

/**
 * A client-credentials access token for calls this service makes on its own behalf (seed §4.2).
 * Cached until `refreshMarginMs` before expiry; one request in flight however many callers wait.
 * Works without Nest (`new M2MTokenService(options)`), as the Lambda triggers need.
 */
@Injectable()
export class M2MTokenService {
  private cached: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;
  /** Bumped by clearCache(), so a fetch started before it cannot refill the cache after it. */
  private generation = 0;
  private readonly now: () => number;
  private readonly tokenHost: string;

  constructor(@Inject(M2M_TOKEN_OPTIONS) private readonly options: M2MTokenOptions) {
    assertM2MTokenOptions(options);
    this.now = options.now ?? Date.now;
    this.tokenHost = new URL(options.tokenUrl).host;
  }

  async getServiceToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    if (!this.inFlight) {
      const fetching = this.fetchToken().finally(() => {
        // Only our own: clearCache() may have started a newer fetch meanwhile.
        if (this.inFlight === fetching) this.inFlight = undefined;
      });
      this.inFlight = fetching;
    }
    return this.inFlight;
  }

  clearCache(): void {
    this.cached = undefined;
    this.inFlight = undefined;
    this.generation++;
  }

  private async fetchToken(): Promise<string> {
    const generation = this.generation;
    const { clientId, clientSecret, scope } = this.options;
    const timeoutMs = this.options.timeoutMs ?? M2M_TOKEN_DEFAULTS.timeoutMs;
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    // RFC 6749 §2.3.1: form-encode each part before joining them for Basic authentication.
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    let response: Response;
    try {
      response = await fetch(this.options.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new M2MTokenError(
        `Token request to ${this.tokenHost} failed: ${networkReason(error, timeoutMs)}`,
        {
          cause: error,
        },
      );
    }

    const json = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) {
      const oauthError =
        typeof json?.error === 'string' && OAUTH_ERROR.test(json.error) ? ` (${json.error})` : '';
      throw new M2MTokenError(
        `Token request to ${this.tokenHost} failed: HTTP ${response.status}${oauthError}`,
      );
    }
    const token = json?.access_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new M2MTokenError(`Token response from ${this.tokenHost} has no access_token`);
    }

    const lifetimeMs =
      typeof json?.expires_in === 'number' && json.expires_in > 0 ? json.expires_in * 1000 : 0;
    // A short-lived token is refreshed at half its life rather than never being cached.
    const margin = Math.min(
      this.options.refreshMarginMs ?? M2M_TOKEN_DEFAULTS.refreshMarginMs,
      lifetimeMs / 2,
    );
    if (generation === this.generation && lifetimeMs > 0) {
      this.cached = { token, refreshAt: this.now() + lifetimeMs - margin };
    }
    return token;
  }
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  // fetch says only "fetch failed"; undici puts the system error (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message) return cause.message;
  return error instanceof Error ? error.message : 'network error';
}
