import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { UserRecord } from '../users/user.js';

export type OutboxMessageKind = 'SIGN_UP_CONFIRMATION' | 'INVITATION';

export interface OutboxMessage {
  id: string;
  kind: OutboxMessageKind;
  username: string;
  destination: string;
  subject: string;
  body: string;
  /** The sign-up confirmation code, for scripts and the web console's dev mode. */
  code?: string;
  createdAt: string;
}

const MAX_MESSAGES = 500;

/**
 * The emails Cognito would send, kept in memory (newest last) instead of sent. Confirmation codes also go
 * to the log; an invitation's temporary password goes to the outbox only — passwords are never logged.
 */
export class Outbox {
  private readonly messages: OutboxMessage[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  confirmationCode(user: UserRecord, code: string): void {
    const destination = user.attributes.email ?? user.username;
    this.add({
      kind: 'SIGN_UP_CONFIRMATION',
      username: user.username,
      destination,
      subject: 'Your verification code',
      body: `Your verification code is ${code}`,
      code,
    });
    this.logger.info(
      { username: user.username, email: destination, confirmationCode: code },
      'sign-up confirmation code (the email Cognito would send)',
    );
  }

  invitation(user: UserRecord, temporaryPassword: string): void {
    const destination = user.attributes.email ?? user.username;
    this.add({
      kind: 'INVITATION',
      username: user.username,
      destination,
      subject: 'Your temporary password',
      body: `Your username is ${user.attributes.email ?? user.username} and temporary password is ${temporaryPassword}`,
    });
    this.logger.info(
      { username: user.username, email: destination },
      'invitation written to the local outbox',
    );
  }

  /** Messages to a user (by username or email), newest first; every message when `who` is absent. */
  list(who?: string): OutboxMessage[] {
    const wanted = who?.toLowerCase();
    return this.messages
      .filter((m) => !wanted || m.username.toLowerCase() === wanted || m.destination.toLowerCase() === wanted)
      .reverse();
  }

  private add(message: Omit<OutboxMessage, 'id' | 'createdAt'>): void {
    this.messages.push({ id: randomUUID(), ...message, createdAt: new Date(this.clock.now()).toISOString() });
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
  }
}
