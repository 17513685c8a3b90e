import { CognitoError } from '../errors/cognito-error.js';
import type { UserRecord } from './user.js';

/** The attributes ListUsers can filter on (Cognito's list). */
const FILTERABLE = new Set([
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
]);
const FILTER = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/;
export const MAX_LIST_LIMIT = 60;

export interface ListUsersInput {
  filter?: string;
  limit?: number;
  paginationToken?: string;
  attributesToGet?: string[];
}

/** ListUsers: one optional `attr = "value"` or `attr ^= "value"` filter, pages of at most 60, oldest first. */
export function listUsers(all: readonly UserRecord[], input: ListUsersInput) {
  const matches = input.filter ? parseFilter(input.filter) : () => true;
  const limit = input.limit ?? MAX_LIST_LIMIT;
  const start = input.paginationToken ? decodeToken(input.paginationToken) : 0;
  const sorted = [...all].sort((a, b) => a.createdAt - b.createdAt || a.username.localeCompare(b.username));
  const found = sorted.filter(matches);
  const page = found.slice(start, start + limit);
  const next = start + limit < found.length ? encodeToken(start + limit) : undefined;
  return { users: page, paginationToken: next };
}

/** One page of any list (ListGroups, ListUsersInGroup): `limit` items from where `token` left off. */
export function pageOf<T>(items: readonly T[], limit: number | undefined, token: string | undefined) {
  const size = limit || MAX_LIST_LIMIT;
  const start = token ? decodeToken(token) : 0;
  const next = start + size < items.length ? encodeToken(start + size) : undefined;
  return { items: items.slice(start, start + size), next };
}

function parseFilter(filter: string): (user: UserRecord) => boolean {
  const match = FILTER.exec(filter);
  if (!match) throw new CognitoError('InvalidParameterException', 'Error while parsing filter.');
  const [, attribute = '', operator, raw = ''] = match;
  if (!FILTERABLE.has(attribute))
    throw new CognitoError('InvalidParameterException', `Invalid search attribute: ${attribute}`);
  const wanted = raw.replace(/\\(.)/g, '$1');
  const valueOf = (user: UserRecord): string | undefined => {
    if (attribute === 'username') return user.username;
    if (attribute === 'cognito:user_status') return user.status;
    if (attribute === 'status') return user.enabled ? 'Enabled' : 'Disabled';
    return user.attributes[attribute];
  };
  return (user) => {
    const value = valueOf(user);
    if (value === undefined) return false;
    return operator === '='
      ? value.toLowerCase() === wanted.toLowerCase()
      : value.toLowerCase().startsWith(wanted.toLowerCase());
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to Cognito's answer for a token it did not issue.
  }
  throw new CognitoError('InvalidParameterException', 'Invalid pagination token.');
}
