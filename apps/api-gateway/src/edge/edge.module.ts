import { MetricsService } from '@helpline/common';
import { type DynamicModule, Module } from '@nestjs/common';
import type { UpstreamName } from '../config.js';
import { ApiDocs } from '../docs/api-docs.js';
import { UPSTREAM_URLS } from '../gateway.constants.js';
import { EdgeMetrics } from './edge.metrics.js';
import { UpstreamHealth } from './upstream-health.js';

/** What the proxy routes need from Nest: the upstreams, their health, the edge's metrics, the merged docs. */
@Module({})
export class EdgeModule {
  static forRoot(upstreams: Record<UpstreamName, string>): DynamicModule {
    return {
      module: EdgeModule,
      providers: [
        { provide: UPSTREAM_URLS, useValue: upstreams },
        {
          provide: EdgeMetrics,
          useFactory: (metrics: MetricsService) => new EdgeMetrics(metrics.registry),
          inject: [MetricsService],
        },
        UpstreamHealth,
        ApiDocs,
      ],
      exports: [EdgeMetrics, ApiDocs, UPSTREAM_URLS],
    };
  }
}
