/** The resolved HttpClientModule options (ResolvedHttpClientOptions). */
export const HTTP_CLIENT_OPTIONS = 'helpline:http-client-options';
/** Where service (client-credentials) tokens come from; null when there is no source. */
export const HTTP_CLIENT_TOKEN_SOURCE = 'helpline:http-client-token-source';
/** The undici dispatcher (a keep-alive Agent of the application's own) the client sends with. */
export const HTTP_CLIENT_DISPATCHER = 'helpline:http-client-dispatcher';
