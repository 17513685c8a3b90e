import type { AppClient, PoolDefinition } from './pool-definition.js';

/** Read-only questions about the pool definition that several features ask. */
export class Pool {
  private readonly clients: Map<string, AppClient>;
  private readonly groupNames: Set<string>;

  constructor(readonly definition: PoolDefinition) {
    this.clients = new Map(definition.clients.map((client) => [client.clientId, client]));
    this.groupNames = new Set(definition.groups.map((group) => group.name));
  }

  get id(): string {
    return this.definition.userPoolId;
  }

  get region(): string {
    return this.definition.region;
  }

  /** The name SRP salts verifiers with: the part of the pool id after the underscore, as Cognito's clients use. */
  get srpPoolName(): string {
    return this.id.slice(this.id.indexOf('_') + 1);
  }

  /** Email is the sign-in name: Cognito then makes the `sub` the username. */
  get emailIsUsername(): boolean {
    return this.definition.usernameAttributes.includes('email');
  }

  client(clientId: string | undefined): AppClient | undefined {
    return clientId === undefined ? undefined : this.clients.get(clientId);
  }

  hasGroup(name: string): boolean {
    return this.groupNames.has(name);
  }

  /** Groups in Cognito's `cognito:groups` order: by precedence, then by name. */
  sortGroups(names: readonly string[]): string[] {
    const precedence = new Map(this.definition.groups.map((g) => [g.name, g.precedence]));
    return [...names].sort(
      (a, b) => (precedence.get(a) ?? 0) - (precedence.get(b) ?? 0) || a.localeCompare(b),
    );
  }

  /** Attribute names a user may have: standard ones, plus the pool's `custom:` ones. */
  isKnownAttribute(name: string): boolean {
    if (name.startsWith('custom:'))
      return this.definition.customAttributes.includes(name.slice('custom:'.length));
    return STANDARD_ATTRIBUTES.has(name);
  }
}

const STANDARD_ATTRIBUTES = new Set([
  'sub',
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
]);
