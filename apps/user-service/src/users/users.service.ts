import type { Principal } from '@helpline/auth';
import type { Page } from '@helpline/common';
import { Injectable } from '@nestjs/common';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { accessDenied, noLinkedUser, userNotFound } from './users.errors.js';
import { canManageUsers, canReadAnyUser, isSelf } from './users.policy.js';
import { type UserFilter, UsersRepository } from './users.repository.js';
import type { User } from './users.schema.js';

@Injectable()
export class UsersService {
  constructor(private readonly repository: UsersRepository) {}

  /** The caller's own user; `known` is what ActiveUserGuard already read for this request. */
  async me(principal: Principal, known?: User | null): Promise<User> {
    if (principal.isService) throw noLinkedUser();
    const user = known === undefined ? await this.repository.findBySub(principal.sub) : known;
    if (!user) throw noLinkedUser();
    return user;
  }

  list(filter: UserFilter): Promise<Page<User>> {
    return this.repository.list(filter);
  }

  /** Anyone may read themself; reading others needs a role or scope (checked after the lookup so
   * that an unprivileged caller learns nothing about which ids exist). */
  async get(idOrSub: string, principal: Principal): Promise<User> {
    const user = await this.repository.findByIdOrSub(idOrSub);
    if (canReadAnyUser(principal)) {
      if (!user) throw userNotFound(idOrSub);
      return user;
    }
    if (!user || !isSelf(principal, user)) throw accessDenied('You may only read your own user');
    return user;
  }

  /** Idempotent on the Cognito sub: a second call for the same identity returns the first user. */
  create(dto: CreateUserDto): Promise<{ user: User; created: boolean }> {
    return this.repository.insertIfAbsent({ cognitoSub: dto.sub, email: dto.email, name: dto.name });
  }

  async update(idOrSub: string, dto: UpdateUserDto, principal: Principal): Promise<User> {
    const user = await this.repository.findByIdOrSub(idOrSub);
    const manager = canManageUsers(principal);
    if (!manager && (!user || !isSelf(principal, user)))
      throw accessDenied('You may only change your own user');
    if (!user) throw userNotFound(idOrSub);
    const restricted = (['email', 'status'] as const).filter((field) => dto[field] !== undefined);
    if (!manager && restricted.length > 0) {
      throw accessDenied(`Only an admin may change ${restricted.join(' and ')}`);
    }
    const updated = await this.repository.update(user.id, {
      name: dto.name,
      email: dto.email,
      status: dto.status,
    });
    if (!updated) throw userNotFound(idOrSub);
    return updated;
  }

  async delete(idOrSub: string): Promise<void> {
    const user = await this.repository.findByIdOrSub(idOrSub);
    if (!user || !(await this.repository.delete(user.id))) throw userNotFound(idOrSub);
  }
}
