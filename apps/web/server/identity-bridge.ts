/**
 * A same-origin relay for the identity provider's endpoints that a browser script calls with
 * `fetch`: discovery, token and revocation (userInfo too). Cognito answers those with CORS headers,
 * so in production the console calls them directly and this is off; the local identity sends no
 * CORS headers, so without this the browser could not read its token responses. The rest of the
 * flow (the login page, /logout) is page navigation, which needs no CORS, and goes to the provider
 * itself. Nothing is logged or kept: requests and answers pass through unchanged.
 */

export const BRIDGE_PREFIX = '/idp';
export const BRIDGE_DISCOVERY_PATH = `${BRIDGE_PREFIX}/.well-known/openid-configuration`;

/** The relayed endpoints: our path → the discovery document's member. */
const RELAYED = {
  [`${BRIDGE_PREFIX}/token`]: { member: 'token_endpoint', method: 'POST' },
  [`${BRIDGE_PREFIX}/revoke`]: { member: 'revocation_endpoint', method: 'POST' },
  [`${BRIDGE_PREFIX}/userinfo`]: { member: 'userinfo_endpoint', method: 'GET' },
} as const;

const UPSTREAM_TIMEOUT_MS = 5_000;
const DISCOVERY_TTL_MS = 60_000;
/** Request headers worth passing on; cookies and the like stay here. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'accept'] as const;

export interface BridgeRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
  /** This server's origin as the browser sees it (`http://localhost:5173`). */
  origin: string;
}

export interface BridgeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Discovery = Record<string, unknown>;

export class IdentityBridge {
  private discovery?: { document: Discovery; fetchedAt: number };

  constructor(
    /** The issuer; its discovery document is `<authority>/.well-known/openid-configuration`. */
    private readonly authority: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  handles(path: string): boolean {
    return path === BRIDGE_DISCOVERY_PATH || Object.hasOwn(RELAYED, path);
  }

  async handle(request: BridgeRequest): Promise<BridgeResponse> {
    try {
      if (request.path === BRIDGE_DISCOVERY_PATH) {
        if (request.method !== 'GET' && request.method !== 'HEAD') return notAllowed('GET');
        return json(200, this.rewritten(await this.document(true), request.origin));
      }
      const relayed = RELAYED[request.path as keyof typeof RELAYED];
      if (!relayed) return json(404, { error: 'not_found' });
      if (request.method !== relayed.method) return notAllowed(relayed.method);
      const target = (await this.document(false))[relayed.member];
      if (typeof target !== 'string')
        return json(404, { error: 'not_supported', error_description: `no ${relayed.member}` });
      return await this.forward(target, request);
    } catch (error) {
      this.discovery = undefined;
      return unavailable(error);
    }
  }

  /** The provider's document with the relayed endpoints pointing here; the issuer stays the provider's. */
  private rewritten(document: Discovery, origin: string): Discovery {
    const copy = { ...document };
    for (const [path, { member }] of Object.entries(RELAYED)) {
      if (typeof copy[member] === 'string') copy[member] = `${origin}${path}`;
    }
    return copy;
  }

  /** Fresh for the browser's own discovery request (that is how it learns the provider is down), cached otherwise. */
  private async document(fresh: boolean): Promise<Discovery> {
    const cached = this.discovery;
    if (!fresh && cached && Date.now() - cached.fetchedAt < DISCOVERY_TTL_MS) return cached.document;
    const res = await this.fetchImpl(`${this.authority}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    const document = (await res.json()) as Discovery;
    this.discovery = { document, fetchedAt: Date.now() };
    return document;
  }

  private async forward(target: string, request: BridgeRequest): Promise<BridgeResponse> {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const res = await this.fetchImpl(target, {
      method: request.method,
      headers,
      ...(request.method === 'POST' ? { body: request.body ?? Buffer.alloc(0) } : {}),
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      redirect: 'manual',
    });
    return {
      status: res.status,
      headers: {
        'content-type': res.headers.get('content-type') ?? 'application/json',
        'cache-control': 'no-store',
      },
      body: await res.text(),
    };
  }
}

function json(status: number, body: unknown): BridgeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

function notAllowed(method: string): BridgeResponse {
  const response = json(405, { error: 'method_not_allowed' });
  response.headers.allow = method;
  return response;
}

/** OAuth's own word for it, so that an OIDC client shows it as an error rather than a parse failure. */
function unavailable(error: unknown): BridgeResponse {
  const cause =
    error instanceof Error && error.name === 'TimeoutError' ? 'did not answer in time' : 'cannot be reached';
  return json(502, {
    error: 'temporarily_unavailable',
    error_description: `The identity provider ${cause}.`,
  });
}
