import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { ServiceConfig } from './config/config.js';
import type { ErrorCatalog } from './errors/domain-error.js';
import { ERROR_CATALOG, ProblemDetailsFilter } from './errors/problem-details.filter.js';
import { createValidationPipe } from './errors/validation.js';
import { ReadinessRegistry } from './health/readiness.js';
import { ACCESS_LOGGER, accessLogger, loggerParams } from './logging/logger.js';
import { MetricsService } from './metrics/metrics.service.js';

export const SERVICE_CONFIG = 'helpline:service-config';

export interface ServiceDefaultsOptions {
  service: ServiceConfig;
  /** The service's domain error codes and their HTTP statuses (`defineErrors`). */
  errors?: ErrorCatalog;
  /** Where log lines go; stdout by default. Tests pass a stream to read them. */
  logDestination?: DestinationStream;
}

/**
 * What every service gets by importing one module: pino logging with correlation ids, problem+json
 * errors, validation of every input, readiness checks and metrics. `createServiceApp` adds the
 * HTTP-level parts (correlation hook, health and metrics routes, OpenAPI).
 */
@Global()
@Module({})
export class ServiceDefaultsModule {
  static forRoot(options: ServiceDefaultsOptions): DynamicModule {
    return {
      module: ServiceDefaultsModule,
      imports: [
        LoggerModule.forRoot(
          loggerParams({
            serviceName: options.service.name,
            level: options.service.logLevel,
            destination: options.logDestination,
          }),
        ),
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [
        { provide: SERVICE_CONFIG, useValue: options.service },
        { provide: ERROR_CATALOG, useValue: options.errors ?? {} },
        ReadinessRegistry,
        MetricsService,
        {
          provide: ACCESS_LOGGER,
          useValue: accessLogger({
            serviceName: options.service.name,
            level: options.service.logLevel,
            destination: options.logDestination,
          }),
        },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [SERVICE_CONFIG, ReadinessRegistry, MetricsService, ACCESS_LOGGER],
    };
  }
}
