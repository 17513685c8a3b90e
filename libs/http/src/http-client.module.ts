import { M2MTokenService } from '@helpline/auth';
import { type DynamicModule, Module } from '@nestjs/common';
import { Agent, type Dispatcher, interceptors } from 'undici';
import {
  HTTP_CLIENT_DISPATCHER,
  HTTP_CLIENT_OPTIONS,
  HTTP_CLIENT_TOKEN_SOURCE,
} from './http-client.constants.js';
import {
  type HttpClientModuleOptions,
  type M2MTokenSource,
  type ResolvedHttpClientOptions,
  resolveHttpClientOptions,
} from './http-client.options.js';
import { ServiceHttpClient, type ServiceTokenSource } from './service-http-client.js';

/**
 * ServiceHttpClient for the whole application (global), on an undici keep-alive Agent (axios cost
 * about 7x the CPU of undici per call: bench/http-client.mjs). Import once, in the application's root module:
 * `HttpClientModule.forRoot({ upstreams: { 'user-service': config.upstreams['user-service'] } })`.
 */
@Module({})
export class HttpClientModule {
  static forRoot(options: HttpClientModuleOptions): DynamicModule {
    const resolved = resolveHttpClientOptions(options);
    return {
      module: HttpClientModule,
      global: true,
      providers: [
        { provide: HTTP_CLIENT_OPTIONS, useValue: resolved },
        // A factory, so that each application gets its own agent (closed with it).
        { provide: HTTP_CLIENT_DISPATCHER, useFactory: () => createDispatcher(resolved) },
        {
          provide: HTTP_CLIENT_TOKEN_SOURCE,
          useFactory: (fromApp?: M2MTokenService) => tokenSource(options.m2m, fromApp),
          inject: [{ token: M2MTokenService, optional: true }],
        },
        ServiceHttpClient,
      ],
      exports: [ServiceHttpClient],
    };
  }
}

/**
 * The client's dispatcher: keep-alive connections (at most `maxSockets` per upstream origin, idle
 * ones closed after `freeSocketTimeoutMs` or the server's shorter Keep-Alive hint, which undici
 * honours), redirects followed up to `maxRedirects`. No proxy from the environment: calls between
 * services stay inside the network. Every status is handed back (ServiceHttpClient maps them); the
 * attempt's time limit and the response size bound are ServiceHttpClient's.
 */
export function createDispatcher(options: ResolvedHttpClientOptions): Dispatcher {
  const agent = new Agent({
    connections: options.keepAlive.maxSockets,
    keepAliveTimeout: options.keepAlive.freeSocketTimeoutMs,
    keepAliveMaxTimeout: options.keepAlive.freeSocketTimeoutMs,
    // ServiceHttpClient's own timer bounds the attempt; these only must not cut it shorter.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  return options.maxRedirects > 0
    ? agent.compose(interceptors.redirect({ maxRedirections: options.maxRedirects }))
    : agent;
}

function tokenSource(
  configured: M2MTokenSource | undefined,
  fromApp: M2MTokenService | undefined,
): ServiceTokenSource | null {
  if (configured === undefined) return fromApp ?? null;
  if ('getServiceToken' in configured) return configured;
  return new M2MTokenService(configured);
}
