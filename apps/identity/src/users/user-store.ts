import type { JsonFile } from '../storage/json-file.js';
import type { UserRecord } from './user.js';

export interface UsersDocument {
  version: 1;
  users: UserRecord[];
}

/**
 * The pool's users, held in memory and written through to one JSON file after each change. Usernames and
 * emails match case-insensitively, as in a Cognito pool created with the default (case-insensitive) setting.
 *
 * Names and emails can be claimed before the user exists (`claim`): a sign-up holds its username and email
 * from its first synchronous step, through its awaits (trigger, hashing), to `add`, so two sign-ups racing
 * for one email cannot both pass the check.
 */
export class UserStore {
  private readonly byUsername = new Map<string, UserRecord>();
  private readonly claims = new Set<string>();

  private constructor(private readonly file: JsonFile<UsersDocument>) {}

  static async open(file: JsonFile<UsersDocument>): Promise<UserStore> {
    const store = new UserStore(file);
    const document = await file.read();
    for (const user of document?.users ?? []) store.byUsername.set(fold(user.username), user);
    return store;
  }

  get size(): number {
    return this.byUsername.size;
  }

  all(): UserRecord[] {
    return [...this.byUsername.values()];
  }

  byName(username: string): UserRecord | undefined {
    return this.byUsername.get(fold(username));
  }

  byEmail(email: string): UserRecord | undefined {
    const wanted = fold(email);
    return this.all().find(
      (user) => user.attributes.email !== undefined && fold(user.attributes.email) === wanted,
    );
  }

  bySub(sub: string): UserRecord | undefined {
    return this.all().find((user) => user.sub === sub);
  }

  /** Whether a user has this username, or a sign-up under way has claimed it. */
  isUsernameTaken(username: string): boolean {
    return this.byName(username) !== undefined || this.claims.has(nameKey(username));
  }

  /** Whether another user (not `except`) has this email, or a sign-up under way has claimed it. */
  isEmailTaken(email: string, except?: UserRecord): boolean {
    const owner = this.byEmail(email);
    return (owner !== undefined && owner !== except) || this.claims.has(emailKey(email));
  }

  /**
   * Claims usernames and emails, all or none, synchronously: the caller checked they are free in the same
   * tick. Returns the release, to call once the user is added (or the sign-up failed).
   */
  claim(names: { usernames?: readonly string[]; emails?: readonly string[] }): () => void {
    const keys = [...(names.usernames ?? []).map(nameKey), ...(names.emails ?? []).map(emailKey)].filter(
      (key, i, all) => all.indexOf(key) === i,
    );
    if (keys.some((key) => this.claims.has(key))) throw new Error('claimed twice: check before claiming');
    for (const key of keys) this.claims.add(key);
    return () => {
      for (const key of keys) this.claims.delete(key);
    };
  }

  async add(user: UserRecord): Promise<void> {
    this.byUsername.set(fold(user.username), user);
    await this.save();
  }

  async addAll(users: readonly UserRecord[]): Promise<void> {
    for (const user of users) this.byUsername.set(fold(user.username), user);
    await this.save();
  }

  async remove(user: UserRecord): Promise<void> {
    if (this.byUsername.get(fold(user.username)) === user) this.byUsername.delete(fold(user.username));
    await this.save();
  }

  /** Persists changes made to records this store handed out. */
  save(): Promise<void> {
    return this.file.write({ version: 1, users: this.all() });
  }
}

const fold = (name: string): string => name.toLowerCase();
const nameKey = (name: string) => `name:${fold(name)}`;
const emailKey = (email: string) => `email:${fold(email)}`;
