import 'reflect-metadata';
import { Controller, Get, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AddressInfo } from 'node:net';
import { CurrentUser, Public, Roles, Scopes } from './auth.decorators.js';
import { AuthModule } from './auth.module.js';
import { JwtAuthOptions } from './jwt-auth.options.js';
import { JwtVerificationService } from './jwt-verification.service.js';
import type { Principal } from './principal.js';

/** The routes every auth spec exercises: one per kind of requirement. */
@Controller()
class ProbeController {
  @Public()
  @Get('public')
  open() {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentUser() user: Principal) {
    return user;
  }

  @Roles('admin')
  @Get('admin')
  admin(@CurrentUser() user: Principal) {
    return user;
  }

  @Scopes('service/user.read')
  @Get('users-read')
  usersRead(@CurrentUser() user: Principal) {
    return user;
  }

  @Roles('admin')
  @Scopes('service/user.read')
  @Get('admin-or-users-read')
  adminOrUsersRead(@CurrentUser() user: Principal) {
    return user;
  }
}

/** Controller-level requirement with a handler that overrides it. */
@Roles('manager')
@Controller('managed')
class ManagedController {
  @Get()
  list() {
    return { ok: true };
  }

  @Roles('admin')
  @Get('admin-only')
  adminOnly() {
    return { ok: true };
  }
}

export interface TestApp {
  url: string;
  verifier: JwtVerificationService;
  /** GET `path` with `Authorization: Bearer <token>` (or `authorization` as given, or none). */
  get(path: string, auth?: { token?: string; authorization?: string }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  body: Record<string, unknown>;
  wwwAuthenticate: string | null;
  retryAfter: string | null;
}

/** A real Nest app on Fastify, listening on 127.0.0.1 with an ephemeral port. */
export async function startTestApp(options: JwtAuthOptions): Promise<TestApp> {
  class TestAppModule {}
  const app: INestApplication = await NestFactory.create(
    {
      module: TestAppModule,
      imports: [AuthModule.forRoot(options)],
      controllers: [ProbeController, ManagedController],
    },
    // Node's default 16 KB header limit would answer 431 before the guard sees an oversized token.
    new FastifyAdapter({ http: { maxHeaderSize: 256 * 1024 } }),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    verifier: app.get(JwtVerificationService),
    async get(path, auth = {}) {
      const authorization =
        auth.authorization ?? (auth.token !== undefined ? `Bearer ${auth.token}` : undefined);
      const response = await fetch(`${url}${path}`, { headers: authorization ? { authorization } : {} });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        wwwAuthenticate: response.headers.get('www-authenticate'),
        retryAfter: response.headers.get('retry-after'),
      };
    },
    close: () => app.close(),
  };
}
