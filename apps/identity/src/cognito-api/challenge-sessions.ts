import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';

/** Cognito's challenge sessions last 3 minutes. */
const SESSION_TTL_MS = 3 * 60 * 1000;
const MAX_SESSIONS = 10_000;

/** The challenges answered with a `Session`: a new password, and USER_AUTH's choice of challenge. */
export type SessionChallenge = 'NEW_PASSWORD_REQUIRED' | 'SELECT_CHALLENGE';

export interface ChallengeSession {
  challenge: SessionChallenge;
  /** The user's username (NEW_PASSWORD_REQUIRED), or the name signed in with (SELECT_CHALLENGE). */
  username: string;
  clientId: string;
  expiresAt: number;
}

/** Pending challenges, by their opaque `Session` string: each is answered once, within 3 minutes. */
export class ChallengeSessions {
  private readonly sessions = new Map<string, ChallengeSession>();

  constructor(private readonly clock: Clock) {}

  start(challenge: SessionChallenge, username: string, clientId: string): string {
    const now = this.clock.now();
    for (const [key, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(key);
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
    const id = randomBytes(48).toString('base64url');
    this.sessions.set(id, { challenge, username, clientId, expiresAt: now + SESSION_TTL_MS });
    return id;
  }

  /** The session, used up, if it exists, has not expired, is of that challenge and belongs to the client. */
  take(id: string, clientId: string, challenge: SessionChallenge): ChallengeSession | undefined {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    if (
      !session ||
      session.clientId !== clientId ||
      session.challenge !== challenge ||
      session.expiresAt <= this.clock.now()
    ) {
      return undefined;
    }
    return session;
  }
}
