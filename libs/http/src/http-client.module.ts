import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { M2MTokenService } from '@helpline/auth';
import { HttpModule, type HttpModuleOptions } from '@nestjs/axios';
import { type DynamicModule, Module } from '@nestjs/common';
import { HTTP_CLIENT_OPTIONS, HTTP_CLIENT_TOKEN_SOURCE } from './http-client.constants.js';
import {
  type HttpClientModuleOptions,
  type M2MTokenSource,
  type ResolvedHttpClientOptions,
  resolveHttpClientOptions,
} from './http-client.options.js';
import { ServiceHttpClient, type ServiceTokenSource } from './service-http-client.js';

/**
 * ServiceHttpClient for the whole application (global), on @nestjs/axios's HttpModule with
 * keep-alive agents. Import once, in the application's root module:
 * `HttpClientModule.forRoot({ upstreams: { 'user-service': config.upstreams['user-service'] } })`.
 */
@Module({})
export class HttpClientModule {
  static forRoot(options: HttpClientModuleOptions): DynamicModule {
    const resolved = resolveHttpClientOptions(options);
    return {
      module: HttpClientModule,
      global: true,
      imports: [
        // A factory, so that each application gets its own agents (closed with it).
        HttpModule.registerAsync({ useFactory: () => createAxiosDefaults(resolved) }),
      ],
      providers: [
        { provide: HTTP_CLIENT_OPTIONS, useValue: resolved },
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
 * The axios defaults of the client: the seed's timeout and maxRedirects, keep-alive agents, every
 * status handed back (ServiceHttpClient maps them), no proxy from the environment (calls between
 * services stay inside the network), and a bound on response size.
 */
export function createAxiosDefaults(options: ResolvedHttpClientOptions): HttpModuleOptions {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.keepAlive.maxSockets,
    maxFreeSockets: options.keepAlive.maxFreeSockets,
    // Idle sockets close after this (or the server's shorter Keep-Alive hint).
    timeout: options.keepAlive.freeSocketTimeoutMs,
    // The most recently used socket first: a steady load uses few sockets and the rest time out.
    scheduling: 'lifo' as const,
  };
  return {
    timeout: options.timeoutMs,
    maxRedirects: options.maxRedirects,
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    proxy: false,
    validateStatus: () => true,
    maxContentLength: options.maxResponseBytes,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
  };
}

function tokenSource(
  configured: M2MTokenSource | undefined,
  fromApp: M2MTokenService | undefined,
): ServiceTokenSource | null {
  if (configured === undefined) return fromApp ?? null;
  if ('getServiceToken' in configured) return configured;
  return new M2MTokenService(configured);
}
