import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JWT_AUTH_OPTIONS } from './auth.constants.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { assertJwtAuthOptions, JwtAuthOptions } from './jwt-auth.options.js';
import { JwtVerificationService } from './jwt-verification.service.js';

/**
 * Makes every route of the application require a verified bearer token (opt out with @Public),
 * and gives the whole application one JwtVerificationService (one JWKS cache, one token cache).
 */
@Module({})
export class AuthModule {
  static forRoot(options: JwtAuthOptions): DynamicModule {
    // Fail while the module graph is built, not at the first request.
    assertJwtAuthOptions(options);
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: JWT_AUTH_OPTIONS, useValue: options },
        JwtVerificationService,
        JwtAuthGuard,
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
      ],
      exports: [JWT_AUTH_OPTIONS, JwtVerificationService, JwtAuthGuard],
    };
  }
}
