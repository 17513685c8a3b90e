/**
 * What the CDK app deploys, derived from the launcher's declaration of the local system
 * (tools/launcher/src/system.ts): each service, its port, the environment names it reads, its
 * database and login role, and which other services it calls. `npm start`, compose.yaml and AWS
 * therefore run the same parts with the same variables; nothing here restates them.
 */
import { fileURLToPath } from 'node:url';
import { buildSystem } from '../../../tools/launcher/src/system.js';

/** The repository root (this file is infra/cdk/src/system.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Deployable {
  /** The part's name: `apps/<name>/` holds its code and its Dockerfile. */
  name: string;
  port: number;
  /** Every variable the launcher sets for it (values are local and not used here). */
  envNames: string[];
  /** Its own database and login role; undefined for a service without one. */
  database?: { name: string; role: string };
  /** The services it calls: the `*_SERVICE_URL` variable → the service it names. */
  upstreams: Record<string, string>;
  /** The services it needs up first (identity and the database excluded: AWS provides those). */
  dependsOn: string[];
}

/**
 * The NestJS gateway as planned (apps/api-gateway, port 8080, database `gateway` with role
 * `api_gateway`), used until the launcher declares it; from then on its declaration wins.
 */
export const PLANNED_GATEWAY: Deployable = {
  name: 'api-gateway',
  port: 8080,
  envNames: [
    'PORT',
    'SERVICE_NAME',
    'JWT_JWKS_URI',
    'JWT_ISSUER',
    'JWT_AUDIENCE',
    'JWT_ROLES_CLAIM',
    'JWT_SCOPES_CLAIM',
    'JWT_ALGORITHMS',
    'DATABASE_URL',
    'USER_SERVICE_URL',
    'ORDER_SERVICE_URL',
    'PRODUCT_SERVICE_URL',
    'REDIS_URL',
  ],
  database: { name: 'gateway', role: 'api_gateway' },
  upstreams: {
    USER_SERVICE_URL: 'user-service',
    ORDER_SERVICE_URL: 'order-service',
    PRODUCT_SERVICE_URL: 'product-service',
  },
  dependsOn: ['user-service', 'order-service', 'product-service'],
};

export const GATEWAY_NAME = PLANNED_GATEWAY.name;

/** Parts that run locally only: AWS provides their like (RDS, Cognito). */
const LOCAL_ONLY = new Set(['postgres', 'identity']);
/**
 * Parts that are no container on AWS: the web console is static files (apps/web/dist/app), for S3
 * and CloudFront with a config.json beside index.html (apps/web/README.md), not an ECS service.
 */
const STATIC_SITES = new Set(['web']);

/** The local system's services, as deployables (the gateway included once the launcher declares it). */
export function deployables(): Deployable[] {
  const { parts } = buildSystem({}, REPO_ROOT);
  const byPort = new Map(parts.map((part) => [part.port, part.name]));
  return parts
    .filter(
      (part) =>
        !LOCAL_ONLY.has(part.name) &&
        !STATIC_SITES.has(part.name) &&
        part.command.join(' ').includes(`apps/${part.name}/`),
    )
    .map((part) => {
      const upstreams: Record<string, string> = {};
      for (const [key, value] of Object.entries(part.env)) {
        if (!key.endsWith('_SERVICE_URL')) continue;
        const target = byPort.get(Number(new URL(value).port));
        if (target) upstreams[key] = target;
      }
      const url = part.env.DATABASE_URL ? new URL(part.env.DATABASE_URL) : undefined;
      return {
        name: part.name,
        port: part.port,
        envNames: Object.keys(part.env).sort(),
        ...(url ? { database: { name: url.pathname.slice(1), role: decodeURIComponent(url.username) } } : {}),
        upstreams,
        dependsOn: part.dependsOn.filter((name) => !LOCAL_ONLY.has(name)),
      };
    });
}

/**
 * The service the Cognito triggers call (Post confirmation creates the user there): the one
 * identity's USER_SERVICE_URL names locally, where identity runs the same handlers.
 */
export function triggersUpstream(): string {
  const { parts } = buildSystem({}, REPO_ROOT);
  const identity = parts.find((part) => part.name === 'identity');
  const url = identity?.env.USER_SERVICE_URL;
  const target = url && parts.find((part) => part.port === Number(new URL(url).port));
  if (!target)
    throw new Error('the launcher declares no identity part with a USER_SERVICE_URL of a known part');
  return target.name;
}

/** The gateway: as the launcher declares it, or as planned. */
export function gatewayDeployable(all: Deployable[] = deployables()): Deployable {
  return all.find((d) => d.name === GATEWAY_NAME) ?? PLANNED_GATEWAY;
}

/** The services (the gateway excluded): what the edge routes to. */
export function backendServices(all: Deployable[] = deployables()): Deployable[] {
  return all.filter((d) => d.name !== GATEWAY_NAME);
}
