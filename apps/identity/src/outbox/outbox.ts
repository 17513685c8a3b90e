import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { UserRecord } from '../users/user.js';

export type OutboxMessageKind =
  'SIGN_UP_CONFIRMATION' | 'PASSWORD_RESET' | 'ATTRIBUTE_VERIFICATION' | 'INVITATION';

/** The kinds of message that carry a code, and the subject Cognito's default messages have. */
export type CodeMessageKind = Exclude<OutboxMessageKind, 'INVITATION'>;
const SUBJECTS: Record<CodeMessageKind, string> = {
  SIGN_UP_CONFIRMATION: 'Your verification code',
  PASSWORD_RESET: 'Your password reset code',
  ATTRIBUTE_VERIFICATION: 'Your verification code',
};

export interface OutboxMessage {
  id: string;
  kind: OutboxMessageKind;
  username: string;
  destination: string;
  subject: string;
  body: string;
  /** The code (sign-up, password reset, attribute verification), for scripts and the web console's dev mode. */
  code?: string;
  createdAt: string;
}

const MAX_MESSAGES = 500;

/**
 * The emails Cognito would send, kept in memory (newest last) instead of sent. Codes also go to the log
 * (they are the local stand-in for the email); an invitation's temporary password goes to the outbox only —
 * passwords are never logged.
 */
export class Outbox {
  private readonly messages: OutboxMessage[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** A code sent by email: `destination` is the address it goes to (a new email being verified, say). */
  code(
    kind: CodeMessageKind,
    user: UserRecord,
    code: string,
    destination = user.attributes.email ?? user.username,
  ): void {
    this.add({
      kind,
      username: user.username,
      destination,
      subject: SUBJECTS[kind],
      body: `Your ${kind === 'PASSWORD_RESET' ? 'password reset' : 'verification'} code is ${code}`,
      code,
    });
    this.logger.info(
      { kind, username: user.username, email: destination, confirmationCode: code },
      `${kind.toLowerCase().replace(/_/g, ' ')} code (the email Cognito would send)`,
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
