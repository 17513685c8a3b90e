import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { UpstreamName } from '../config.js';
import { ROUTE_PREFIXES } from '../edge/routes.js';
import { UPSTREAM_URLS } from '../gateway.constants.js';

/** How long a service's document is reused before it is fetched again. */
const REFRESH_AFTER_MS = 30_000;
const FETCH_TIMEOUT_MS = 2_000;
/** A service's document larger than this is not merged (it is not one of ours). */
const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Fetched {
  document?: OpenAPIObject;
  fetchedAt: number;
  pending?: Promise<void>;
}

/**
 * One OpenAPI document for the whole API: the gateway's own (the admin endpoints) and every
 * service's `/docs/json`, keeping the paths the gateway routes to that service. A service's
 * schema named like another's but different is renamed `<Service><Name>` in the merged document.
 * Documents are fetched when asked for and reused for 30 s; a service that cannot be reached
 * keeps its last document, and one never fetched is named in the description.
 */
@Injectable()
export class ApiDocs {
  private readonly logger = new Logger(ApiDocs.name);
  private readonly cache = new Map<UpstreamName, Fetched>();

  constructor(@Inject(UPSTREAM_URLS) private readonly upstreams: Record<UpstreamName, string>) {}

  async merged(own: OpenAPIObject): Promise<OpenAPIObject> {
    const names = Object.keys(this.upstreams) as UpstreamName[];
    await Promise.all(names.map((name) => this.refresh(name)));
    const result = structuredClone(own);
    result.paths ??= {};
    result.components ??= {};
    result.components.schemas ??= {};
    result.components.securitySchemes = {
      ...result.components.securitySchemes,
      apiKey: {
        type: 'apiKey',
        in: 'header',
        name: 'x-api-key',
        description: 'Optional: an API key puts the caller under its usage plan',
      },
    };
    const tags = new Map((result.tags ?? []).map((tag) => [tag.name, tag]));
    const missing: string[] = [];

    for (const name of names) {
      const document = this.cache.get(name)?.document;
      if (!document) {
        missing.push(name);
        continue;
      }
      const schemas = (document.components?.schemas ?? {}) as Record<string, Json>;
      const renames = new Map<string, string>();
      for (const [schemaName, schema] of Object.entries(schemas)) {
        const existing = result.components.schemas[schemaName] as Json | undefined;
        if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(schema)) {
          renames.set(schemaName, `${pascal(name)}${schemaName}`);
        }
      }
      const rewritten = renameRefs(document as unknown as Json, renames) as unknown as OpenAPIObject;
      for (const [schemaName, schema] of Object.entries(rewritten.components?.schemas ?? {})) {
        result.components.schemas[renames.get(schemaName) ?? schemaName] = schema;
      }
      for (const [path, item] of Object.entries(rewritten.paths ?? {})) {
        if (routedTo(path) === name) result.paths[path] = item;
      }
      for (const tag of rewritten.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
    }
    result.tags = [...tags.values()];
    if (missing.length > 0) {
      result.info = {
        ...result.info,
        description: `${result.info.description ?? ''}\n\nNot included (their documents could not be fetched): ${missing.join(', ')}.`,
      };
    }
    return result;
  }

  private async refresh(name: UpstreamName): Promise<void> {
    const entry = this.cache.get(name) ?? { fetchedAt: 0 };
    this.cache.set(name, entry);
    if (entry.document && Date.now() - entry.fetchedAt < REFRESH_AFTER_MS) return;
    entry.pending ??= this.fetch(name)
      .then((document) => {
        entry.document = document;
        entry.fetchedAt = Date.now();
      })
      .catch((error: unknown) => {
        // Kept stale; asked again on the next request for the document.
        this.logger.warn(`${name}'s OpenAPI document could not be fetched: ${(error as Error).message}`);
      })
      .finally(() => {
        entry.pending = undefined;
      });
    await entry.pending;
  }

  private async fetch(name: UpstreamName): Promise<OpenAPIObject> {
    const response = await fetch(`${this.upstreams[name]}/docs/json`, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`it answered ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error('it is larger than 5 MB');
    const document = JSON.parse(text) as OpenAPIObject;
    if (typeof document !== 'object' || document === null || typeof document.paths !== 'object') {
      throw new Error('it is not an OpenAPI document');
    }
    return document;
  }
}

/** The upstream a path is routed to, as the edge routes it. */
export function routedTo(path: string): UpstreamName | undefined {
  for (const [prefix, upstream] of Object.entries(ROUTE_PREFIXES)) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return upstream;
  }
  return undefined;
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _dash, letter: string) => letter.toUpperCase());
}

function renameRefs(value: Json, renames: Map<string, string>): Json {
  if (renames.size === 0) return value;
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, renames));
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      const target = v.slice('#/components/schemas/'.length);
      out[key] = `#/components/schemas/${renames.get(target) ?? target}`;
    } else {
      out[key] = renameRefs(v, renames);
    }
  }
  return out;
}
