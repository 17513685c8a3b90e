import { AsyncLocalStorage } from 'node:async_hooks';

/** What code deep in a request needs without threading it through every call. */
export interface RequestContextData {
  correlationId: string;
  /** The caller's Authorization header, for token passthrough on outgoing calls. Never logged. */
  authorization?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

/**
 * The request context, carried by AsyncLocalStorage rather than a request-scoped provider, so that
 * services stay singletons (a request-scoped provider makes its whole dependency chain per-request).
 */
export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  current(): RequestContextData | undefined {
    return storage.getStore();
  },
  correlationId(): string | undefined {
    return storage.getStore()?.correlationId;
  },
};
