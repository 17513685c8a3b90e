import type { Principal } from '@helpline/auth';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { userDisabled } from './users.errors.js';
import { UsersRepository } from './users.repository.js';

/**
 * Runs after the token guard: a person whose user is disabled may do nothing here, themself
 * included, although their token is still valid until it expires. Services and identities with
 * no user yet pass; the routes decide what they may do.
 */
@Injectable()
export class ActiveUserGuard implements CanActivate {
  constructor(private readonly repository: UsersRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (!principal || principal.isService) return true;
    const user = await this.repository.findBySub(principal.sub);
    if (user?.status === 'disabled') throw userDisabled();
    return true;
  }
}
