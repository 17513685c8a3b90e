/**
 * The CDK app's settings, from context (`cdk.json`, or `-c helpline:<name>=<value>`). Every one
 * has a default, so `cdk synth` works with no AWS account and no arguments.
 */
import type { Node } from 'constructs';

export type Edge = 'apigateway' | 'nestjs';
export type AdvancedSecurity = 'off' | 'audit' | 'enforced';

export interface HelplineConfig {
  /** `apigateway` (seed §7.1): API Gateway REST in front; `nestjs` (seed §7.3): apps/api-gateway on Fargate behind an ALB. */
  edge: Edge;
  /** The SPA client's callback and sign-out URLs; default: pool.json's. */
  spaCallbackUrls?: string[];
  spaLogoutUrls?: string[];
  /** The hosted domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`); default `helpline-<account id>`. */
  cognitoDomainPrefix?: string;
  /** Cognito threat protection (needs the Plus feature plan): off, audit or enforced. */
  advancedSecurity: AdvancedSecurity;
  /** The Identity Pool with group → IAM role mapping (seed §2.1, optional). */
  identityPool: boolean;
  /** A custom domain for the API (API Gateway, or the ALB of the NestJS gateway), with its ACM certificate. */
  apiDomainName?: string;
  apiCertificateArn?: string;
  /** Browser origins allowed by CORS; default: the origins of the SPA's callback URLs. */
  corsOrigins?: string[];
  /** Every API Gateway route requires an API key (usage plans meter keyed requests only). */
  apiKeyRequired: boolean;
  /** API keys to create, `name:plan` each. */
  apiKeys: Array<{ name: string; plan: string }>;
  multiAz: boolean;
  deletionProtection: boolean;
  natGateways: number;
  desiredCount: number;
  logRetentionDays: number;
  /** Alarm notifications go to this address when set. */
  alarmEmail?: string;
}

const PREFIX = 'helpline:';

function raw(node: Node, name: string): unknown {
  return node.tryGetContext(PREFIX + name);
}

function text(node: Node, name: string): string | undefined {
  const value = raw(node, name);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function list(node: Node, name: string): string[] | undefined {
  const value = raw(node, name);
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((s) => s.trim()).filter(Boolean);
}

function flag(node: Node, name: string, fallback: boolean): boolean {
  const value = raw(node, name);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${PREFIX}${name}=${String(value)}: expected true or false`);
}

function count(node: Node, name: string, fallback: number, min: number, max: number): number {
  const value = raw(node, name);
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(
      `context ${PREFIX}${name}=${String(value)}: expected a whole number from ${min} to ${max}`,
    );
  }
  return n;
}

function oneOf<T extends string>(node: Node, name: string, allowed: readonly T[], fallback: T): T {
  const value = text(node, name) ?? fallback;
  if (!allowed.includes(value as T)) {
    throw new Error(`context ${PREFIX}${name}=${value}: expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function readConfig(node: Node): HelplineConfig {
  const apiDomainName = text(node, 'apiDomainName');
  const apiCertificateArn = text(node, 'apiCertificateArn');
  if (Boolean(apiDomainName) !== Boolean(apiCertificateArn)) {
    throw new Error(`context ${PREFIX}apiDomainName and ${PREFIX}apiCertificateArn go together`);
  }
  const apiKeys = (list(node, 'apiKeys') ?? []).map((entry) => {
    const [name = '', plan = ''] = entry.split(':');
    if (!name || !plan) throw new Error(`context ${PREFIX}apiKeys: "${entry}" is not name:plan`);
    return { name, plan };
  });
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    edge: oneOf(node, 'edge', ['apigateway', 'nestjs'] as const, 'apigateway'),
    ...optional('spaCallbackUrls', list(node, 'spaCallbackUrls')),
    ...optional('spaLogoutUrls', list(node, 'spaLogoutUrls')),
    ...optional('cognitoDomainPrefix', text(node, 'cognitoDomainPrefix')),
    advancedSecurity: oneOf(node, 'advancedSecurity', ['off', 'audit', 'enforced'] as const, 'off'),
    identityPool: flag(node, 'identityPool', false),
    ...optional('apiDomainName', apiDomainName),
    ...optional('apiCertificateArn', apiCertificateArn),
    ...optional('corsOrigins', list(node, 'corsOrigins')),
    apiKeyRequired: flag(node, 'apiKeyRequired', true),
    apiKeys,
    multiAz: flag(node, 'multiAz', true),
    deletionProtection: flag(node, 'deletionProtection', true),
    natGateways: count(node, 'natGateways', 1, 1, 3),
    desiredCount: count(node, 'desiredCount', 2, 1, 20),
    logRetentionDays: count(node, 'logRetentionDays', 30, 1, 3653),
    ...optional('alarmEmail', text(node, 'alarmEmail')),
  };
}
