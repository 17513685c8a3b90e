import type { Principal } from '@helpline/auth';
import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { userDisabled } from './users.errors.js';
import { UsersRepository } from './users.repository.js';
import type { User } from './users.schema.js';

interface CallerRequest {
  user?: Principal;
  /** The caller's own user as the guard read it; null when none is linked yet. */
  callerUser?: User | null;
}

/**
 * Runs after the token guard: a person whose user is disabled may do nothing here, themself
 * included, although their token is still valid until it expires. Services and identities with
 * no user yet pass; the routes decide what they may do. The user it read is kept on the request
 * (`@CallerUser()`), so that `GET /users/me` does not read it a second time.
 */
@Injectable()
export class ActiveUserGuard implements CanActivate {
  constructor(private readonly repository: UsersRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const principal = request.user;
    if (!principal || principal.isService) return true;
    const user = await this.repository.findBySub(principal.sub);
    if (user?.status === 'disabled') throw userDisabled();
    request.callerUser = user ?? null;
    return true;
  }
}

const callerUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<CallerRequest>().callerUser,
);

/**
 * The calling person's own user, as ActiveUserGuard read it for this request: null when no user
 * is linked to the identity yet; undefined for a service or where the guard did not run.
 */
export const CallerUser = (): ParameterDecorator => callerUser();
