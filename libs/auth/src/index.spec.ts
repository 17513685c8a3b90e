import type { DynamicModule } from '@nestjs/common';
import { describe, expectTypeOf, it } from 'vitest';
// Type-only: checked by `tsc` (npm run typecheck), and costs no module loading at test time.
import type {
  AUTH_ERROR_CODES,
  AuthModule,
  CurrentUser,
  getPrincipal,
  JwtAuthOptions,
  JwtVerificationService,
  KeySetStatus,
  M2MTokenError,
  M2MTokenModule,
  M2MTokenOptions,
  M2MTokenService,
  Principal,
  Public,
  readJwtAuthOptions,
  readM2MTokenOptions,
  Roles,
  Scopes,
} from './index.js';

/** Other packages code against these exact shapes; a change here is a breaking change. */
describe('public API types', () => {
  it('keeps the option readers and modules', () => {
    expectTypeOf<typeof readJwtAuthOptions>().toEqualTypeOf<
      (env: Record<string, string | undefined>) => { value?: JwtAuthOptions; problems: string[] }
    >();
    expectTypeOf<typeof readM2MTokenOptions>().toEqualTypeOf<
      (env: Record<string, string | undefined>) => { value?: M2MTokenOptions; problems: string[] }
    >();
    expectTypeOf<typeof AuthModule.forRoot>().toEqualTypeOf<(options: JwtAuthOptions) => DynamicModule>();
    expectTypeOf<typeof M2MTokenModule.forRoot>().toEqualTypeOf<
      (options: M2MTokenOptions) => DynamicModule
    >();
    expectTypeOf<JwtAuthOptions['tokenUse']>().toEqualTypeOf<Array<'access' | 'id'> | 'any'>();
    expectTypeOf<JwtAuthOptions['mode']>().toEqualTypeOf<'jwks' | 'secret'>();
  });

  it('keeps the services', () => {
    expectTypeOf<JwtVerificationService['verify']>().toEqualTypeOf<(token: string) => Promise<Principal>>();
    expectTypeOf<M2MTokenService['getServiceToken']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<M2MTokenService['clearCache']>().toEqualTypeOf<() => void>();
    expectTypeOf<M2MTokenError['code']>().toEqualTypeOf<'M2M_TOKEN_UNAVAILABLE'>();
  });

  it('gives the key-set status as plain data', () => {
    expectTypeOf<JwtVerificationService['keySetStatus']>().toEqualTypeOf<() => KeySetStatus>();
    expectTypeOf<KeySetStatus>().toEqualTypeOf<{
      mode: 'jwks' | 'secret';
      keys: number;
      lastSuccessAt: number | null;
      lastFailureAt: number | null;
      lastErrorKind: 'timeout' | 'network' | 'http-status' | 'malformed' | null;
      consecutiveFailures: number;
      usableUntil: number | null;
      stale: boolean;
      unusable: boolean;
    }>();
  });

  it('keeps the decorators and the principal', () => {
    expectTypeOf<ReturnType<typeof Public>>().toExtend<MethodDecorator & ClassDecorator>();
    expectTypeOf<ReturnType<typeof Roles>>().toExtend<MethodDecorator & ClassDecorator>();
    expectTypeOf<Parameters<typeof Scopes>>().toEqualTypeOf<string[]>();
    expectTypeOf<typeof CurrentUser>().toEqualTypeOf<() => ParameterDecorator>();
    expectTypeOf<typeof getPrincipal>().toEqualTypeOf<
      (request: { user?: unknown }) => Principal | undefined
    >();
    expectTypeOf<Principal>().toEqualTypeOf<{
      sub: string;
      username?: string;
      clientId?: string;
      email?: string;
      roles: string[];
      scopes: string[];
      tokenUse?: 'access' | 'id';
      isService: boolean;
      claims: Record<string, unknown>;
    }>();
    expectTypeOf<keyof typeof AUTH_ERROR_CODES>().toEqualTypeOf<
      | 'TOKEN_MISSING'
      | 'TOKEN_EXPIRED'
      | 'TOKEN_NOT_YET_VALID'
      | 'TOKEN_INVALID'
      | 'INSUFFICIENT_ROLE'
      | 'INSUFFICIENT_SCOPE'
      | 'JWKS_UNAVAILABLE'
    >();
  });
});
