import { ReadinessRegistry } from '@helpline/common';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { UpstreamName } from '../config.js';
import { UPSTREAM_URLS } from '../gateway.constants.js';

const PROBE_TIMEOUT_MS = 1_000;

/**
 * Each upstream as a readiness check: it answers its liveness probe within a second. (Liveness,
 * not readiness: a service whose database is down still answers with a problem the caller should
 * see, and the gateway is not the place to hide it.)
 */
@Injectable()
export class UpstreamHealth implements OnModuleInit {
  constructor(
    @Inject(UPSTREAM_URLS) private readonly upstreams: Record<UpstreamName, string>,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    for (const [name, url] of Object.entries(this.upstreams)) {
      this.readiness.register(name, async () => {
        const response = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`${name} answered ${response.status}`);
      });
    }
  }
}
