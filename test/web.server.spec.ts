import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@helpline/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWebConfig } from '../apps/web/server/web-config.js';
import { type RunningWebServer, startWebServer } from '../apps/web/server/web-server.js';

/** A stand-in identity provider: discovery, and a token endpoint that echoes what it was sent. */
async function startProvider(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    if (req.url === '/pool/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer: `${base}/pool`,
          authorization_endpoint: `${base}/oauth2/authorize`,
          token_endpoint: `${base}/oauth2/token`,
          revocation_endpoint: `${base}/oauth2/revoke`,
          end_session_endpoint: `${base}/logout`,
        }),
      );
      return;
    }
    if (req.url === '/oauth2/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            received: body,
            contentType: req.headers['content-type'],
            cookie: req.headers.cookie ?? null,
          }),
        );
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe("the console's server", () => {
  let appDir: string;
  let provider: { url: string; server: Server };
  let web: RunningWebServer;

  beforeAll(async () => {
    appDir = await mkdtemp(join(tmpdir(), 'helpline-web-app-'));
    await mkdir(join(appDir, 'assets'));
    await writeFile(join(appDir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(appDir, 'assets/app-1234.js'), 'export {};');
    provider = await startProvider();
    web = await startWebServer(
      readWebConfig(
        {
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
          WEB_API_URL: 'http://api.test:8080/',
          WEB_OIDC_AUTHORITY: `${provider.url}/pool`,
          WEB_OIDC_LOGOUT_URL: 'https://auth.example.com/logout',
        },
        appDir,
      ),
    );
  });

  afterAll(async () => {
    await web?.close();
    await new Promise((resolve) => provider?.server.close(resolve));
    await rm(appDir, { recursive: true, force: true });
  });

  it('tells the app where the gateway and the identity provider are', async () => {
    const res = await fetch(`${web.url}/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      apiUrl: 'http://api.test:8080',
      oidc: {
        authority: `${provider.url}/pool`,
        clientId: 'helpline-spa',
        scope: 'openid email profile',
        logoutUrl: 'https://auth.example.com/logout',
        metadataUrl: '/idp/.well-known/openid-configuration',
      },
    });
  });

  it("serves the app for any page path, with a CSP naming only the gateway's and the provider's origins", async () => {
    for (const path of ['/', '/orders', '/admin/api-keys?x=1', '/callback?code=abc&state=def']) {
      const res = await fetch(`${web.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<title>console</title>');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain(
        `connect-src 'self' http://api.test:8080 ${provider.url} https://auth.example.com`,
      );
      expect(csp).toContain("script-src 'self'");
    }
    const asset = await fetch(`${web.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${web.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${web.url}/health/ready`)).status).toBe(200);
  });

  it('relays discovery with the token endpoints on its own origin, and token requests as they came', async () => {
    const discovery = (await (
      await fetch(`${web.url}/idp/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(`${provider.url}/pool`);
    expect(discovery.authorization_endpoint).toBe(`${provider.url}/oauth2/authorize`);
    expect(discovery.token_endpoint).toBe(`${web.url}/idp/token`);
    expect(discovery.revocation_endpoint).toBe(`${web.url}/idp/revoke`);

    const res = await fetch(`${web.url}/idp/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'session=secret' },
      body: 'grant_type=authorization_code&code=abc&code_verifier=xyz',
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      received: 'grant_type=authorization_code&code=abc&code_verifier=xyz',
      contentType: 'application/x-www-form-urlencoded',
      cookie: null,
    });
    expect((await fetch(`${web.url}/idp/token`)).status).toBe(405);
    expect((await fetch(`${web.url}/idp/anything`)).status).toBe(404);
  });

  it('answers 502 in OAuth words when the provider cannot be reached', async () => {
    const down = await startWebServer(
      readWebConfig(
        { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', WEB_OIDC_AUTHORITY: 'http://127.0.0.1:9/pool' },
        appDir,
      ),
    );
    try {
      const res = await fetch(`${down.url}/idp/.well-known/openid-configuration`);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      await down.close();
    }
  });

  it('needs every address in production, and names each one missing', () => {
    let error: unknown;
    try {
      readWebConfig({ NODE_ENV: 'production', WEB_IDENTITY_BRIDGE: 'maybe' }, appDir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['WEB_API_URL', 'WEB_OIDC_AUTHORITY', 'WEB_OIDC_LOGOUT_URL', 'WEB_IDENTITY_BRIDGE']) {
      expect(message).toContain(name);
    }
  });

  it('refuses to start without a built app', async () => {
    await expect(
      startWebServer(
        readWebConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, join(appDir, 'nothing')),
      ),
    ).rejects.toThrow(/npm run build/);
  });
});
