/** What the console's server tells the app at start-up (`GET /config.json`; server/web-config.ts). */
export interface ConsoleConfig {
  /** The API gateway: every call goes there. */
  apiUrl: string;
  oidc: {
    authority: string;
    clientId: string;
    scope: string;
    /** The hosted UI's sign-out endpoint (Cognito's `/logout`). */
    logoutUrl: string;
    /** Where to read the provider's discovery document, when not `<authority>/.well-known/…`. */
    metadataUrl?: string;
  };
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/config.json answered ${res.status}`);
  const config = (await res.json()) as Partial<ConsoleConfig>;
  if (typeof config.apiUrl !== 'string' || typeof config.oidc?.authority !== 'string') {
    throw new Error('/config.json lacks apiUrl or oidc.authority');
  }
  return config as ConsoleConfig;
}
