/** The resolved HttpClientModule options (ResolvedHttpClientOptions). */
export const HTTP_CLIENT_OPTIONS = 'helpline:http-client-options';
/** Where service (client-credentials) tokens come from; null when there is no source. */
export const HTTP_CLIENT_TOKEN_SOURCE = 'helpline:http-client-token-source';
