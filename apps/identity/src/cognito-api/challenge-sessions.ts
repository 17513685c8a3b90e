import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';

/** Cognito's challenge sessions last 3 minutes. */
const SESSION_TTL_MS = 3 * 60 * 1000;

interface ChallengeSession {
  username: string;
  clientId: string;
  expiresAt: number;
}

/** Pending NEW_PASSWORD_REQUIRED challenges, by their opaque `Session` string. */
export class ChallengeSessions {
  private readonly sessions = new Map<string, ChallengeSession>();

  constructor(private readonly clock: Clock) {}

  start(username: string, clientId: string): string {
    const now = this.clock.now();
    for (const [key, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(key);
    const id = randomBytes(48).toString('base64url');
    this.sessions.set(id, { username, clientId, expiresAt: now + SESSION_TTL_MS });
    return id;
  }

  /** The session, used up, if it exists, has not expired and belongs to the client. */
  take(id: string, clientId: string): ChallengeSession | undefined {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    if (!session || session.clientId !== clientId || session.expiresAt <= this.clock.now()) return undefined;
    return session;
  }
}
