import type { JsonFile } from '../storage/json-file.js';
import type { UserRecord } from './user.js';

export interface UsersDocument {
  version: 1;
  users: UserRecord[];
}

/**
 * The pool's users, held in memory and written through to one JSON file after each change. Usernames and
 * emails match case-insensitively, as in a Cognito pool created with the default (case-insensitive) setting.
 */
export class UserStore {
  private readonly byUsername = new Map<string, UserRecord>();

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

  async add(user: UserRecord): Promise<void> {
    this.byUsername.set(fold(user.username), user);
    await this.save();
  }

  async addAll(users: readonly UserRecord[]): Promise<void> {
    for (const user of users) this.byUsername.set(fold(user.username), user);
    await this.save();
  }

  /** Persists changes made to records this store handed out. */
  save(): Promise<void> {
    return this.file.write({ version: 1, users: this.all() });
  }
}

const fold = (name: string): string => name.toLowerCase();
