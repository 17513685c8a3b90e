import { DEFAULT_PORT } from './config.js';

/**
 * Where identity is reached, which is known only once it listens: the published base URL (tokens' `iss`,
 * discovery) is `issuerBaseUrl` when configured, else the listening address; identity calls itself (the
 * Post confirmation trigger's token URL) where it listens, whatever name it publishes.
 */
export class PublishedUrls {
  private listening: string | undefined;

  constructor(
    private readonly configured: string | undefined,
    private readonly poolId: string,
  ) {}

  /** Called by `listen`, with `http://<host>:<port>`. */
  listeningAt(url: string): void {
    this.listening = url;
  }

  get listeningUrl(): string | undefined {
    return this.listening;
  }

  readonly baseUrl = (): string =>
    this.configured?.replace(/\/+$/, '') ?? this.listening ?? `http://localhost:${DEFAULT_PORT}`;

  readonly issuer = (): string => `${this.baseUrl()}/${this.poolId}`;

  readonly selfUrl = (): string => this.listening ?? this.baseUrl();
}
