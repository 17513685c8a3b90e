/**
 * The two checked-in definitions the CDK app builds from, shared with what runs locally:
 * infra/cognito/pool.json (identity serves it) and infra/gateway/usage-plans.json (the NestJS
 * gateway enforces it). Read as they are; the CDK app never restates a value from either.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './system.js';

export interface PoolClient {
  clientId: string;
  clientName?: string;
  clientSecret?: string;
  explicitAuthFlows?: string[];
  allowedOAuthFlows?: Array<'code' | 'implicit' | 'client_credentials'>;
  allowedOAuthScopes?: string[];
  callbackUrls?: string[];
  logoutUrls?: string[];
}

export interface PoolDefinition {
  poolName: string;
  usernameAttributes?: string[];
  autoVerifiedAttributes?: string[];
  requiredAttributes?: string[];
  customAttributes?: string[];
  passwordPolicy: {
    minimumLength: number;
    requireUppercase: boolean;
    requireLowercase: boolean;
    requireNumbers: boolean;
    requireSymbols: boolean;
    temporaryPasswordValidityDays: number;
  };
  triggers?: {
    preSignUp?: string;
    postConfirmation?: string;
    preTokenGeneration?: string;
    preTokenGenerationVersion?: 'V2_0' | 'V3_0';
  };
  groups: Array<{ name: string; description?: string; precedence: number }>;
  resourceServers: Array<{
    identifier: string;
    name: string;
    scopes: Array<{ name: string; description?: string }>;
  }>;
  clients: PoolClient[];
}

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface Plan {
  description?: string;
  throttle?: Throttle;
  quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH' };
  /** `<resource path>/<HTTP method>` → throttle. */
  methodThrottles?: Record<string, Throttle>;
}

export interface UsagePlanFile {
  plans: Record<string, Plan>;
  keyless?: { perUser?: Plan; perIp?: Plan };
}

export const POOL_FILE = join(REPO_ROOT, 'infra/cognito/pool.json');
export const USAGE_PLANS_FILE = join(REPO_ROOT, 'infra/gateway/usage-plans.json');

export function readPool(file = POOL_FILE): PoolDefinition {
  return JSON.parse(readFileSync(file, 'utf8')) as PoolDefinition;
}

export function readUsagePlans(file = USAGE_PLANS_FILE): UsagePlanFile {
  return JSON.parse(readFileSync(file, 'utf8')) as UsagePlanFile;
}

/** A client of the pool that gets tokens for itself (client credentials): a calling service or the triggers. */
export function isMachineClient(client: PoolClient): boolean {
  return (client.allowedOAuthFlows ?? []).includes('client_credentials');
}

/** Every scope a token of this pool can carry: resource-server scopes and the clients' OIDC ones. */
export function allScopes(pool: PoolDefinition): string[] {
  const scopes = new Set<string>(['aws.cognito.signin.user.admin']);
  for (const server of pool.resourceServers) {
    for (const scope of server.scopes) scopes.add(`${server.identifier}/${scope.name}`);
  }
  for (const client of pool.clients) for (const scope of client.allowedOAuthScopes ?? []) scopes.add(scope);
  return [...scopes].sort();
}
