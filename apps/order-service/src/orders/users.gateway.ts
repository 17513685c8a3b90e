import { isUpstreamError, ServiceHttpClient } from '@helpline/http';
import { Injectable } from '@nestjs/common';
import { userDisabled, userNotProvisioned } from './orders.errors.js';
import type { Buyer, BuyerDirectory } from './orders.ports.js';

/**
 * The buyer from user-service, read with the caller's own token (seed §3.4: token passthrough), as
 * `GET /users/me`: the user linked to that token, which says 404 when there is none yet (reading
 * `/users/{sub}` as oneself says 403 then, so as not to tell strangers which ids exist).
 */
@Injectable()
export class UsersGateway implements BuyerDirectory {
  constructor(private readonly http: ServiceHttpClient) {}

  async current(): Promise<Buyer> {
    try {
      const user = await this.http.get<{ id: string; status: 'active' | 'disabled' }>(
        'user-service',
        '/users/me',
        {
          auth: 'caller',
        },
      );
      if (user.status === 'disabled') throw userDisabled();
      return { id: user.id, status: user.status };
    } catch (error) {
      if (isUpstreamError(error) && error.upstreamStatus === 404) throw userNotProvisioned();
      if (isUpstreamError(error) && error.upstreamCode === 'USER_DISABLED') throw userDisabled();
      throw error;
    }
  }
}
