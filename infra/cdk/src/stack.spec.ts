/* eslint-disable @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON */
/**
 * The synthesized template against the definitions it is built from: infra/cognito/pool.json,
 * infra/gateway/usage-plans.json and the launcher's declaration of the system. Expected values are
 * derived from those files, never restated. Synthesized once (default context) for the file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { allScopes, isMachineClient, readPool, readUsagePlans } from './definitions.js';
import { ROUTES } from './edge.js';
import { DATABASE_SECRET_FIELDS } from './services.js';
import { resourcesOf, type Synthesized, synthesize } from './synth.test-support.js';
import { backendServices, deployables, triggersUpstream } from './system.js';

const pool = readPool();
const plans = readUsagePlans();
const services = backendServices(deployables());

let synth: Synthesized;
const of = (type: string) => resourcesOf(synth.json, type);
const refId = (value: unknown): string | undefined =>
  (value as { Ref?: string })?.Ref ?? (value as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];

/** `{Fn::Join: ['', [{Ref: <resource server>}, '/user.read']]}` → `service/user.read`. */
function resolveScope(value: unknown): string {
  if (typeof value === 'string') return value;
  const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) =>
      typeof part === 'string' ? part : synth.json.Resources[refId(part)!]!.Properties!.Identifier,
    )
    .join(separator);
}

beforeAll(() => {
  synth = synthesize();
}, 120_000);

describe('cdk-nag (AwsSolutions)', () => {
  it('finds nothing that is not acknowledged', () => {
    expect(synth.violations).toEqual([]);
  });

  it('gives every acknowledgment a reason a reviewer can weigh', () => {
    const acknowledged = Object.values(synth.json.Resources).flatMap(
      (r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>,
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(reason.length, id).toBeGreaterThanOrEqual(60);
    }
  });
});

describe('Cognito, from infra/cognito/pool.json', () => {
  it("has the pool's groups, with their precedence and descriptions", () => {
    const groups = of('AWS::Cognito::UserPoolGroup').map(([, p]) => ({
      name: p.GroupName,
      description: p.Description,
      precedence: p.Precedence,
    }));
    expect(groups).toEqual(
      pool.groups.map((g) => ({ name: g.name, description: g.description ?? '', precedence: g.precedence })),
    );
  });

  it('has the resource servers and their scopes', () => {
    const servers = of('AWS::Cognito::UserPoolResourceServer').map(([, p]) => ({
      identifier: p.Identifier,
      name: p.Name,
      scopes: p.Scopes.map((s: { ScopeName: string }) => s.ScopeName),
    }));
    expect(servers).toEqual(
      pool.resourceServers.map((s) => ({
        identifier: s.identifier,
        name: s.name,
        scopes: s.scopes.map((x) => x.name),
      })),
    );
  });

  it('has every app client with exactly its flows, scopes, secret and URLs', () => {
    const clients = new Map(of('AWS::Cognito::UserPoolClient').map(([, p]) => [p.ClientName as string, p]));
    expect([...clients.keys()].sort()).toEqual(pool.clients.map((c) => c.clientId).sort());
    for (const client of pool.clients) {
      const p = clients.get(client.clientId)!;
      const flows = client.allowedOAuthFlows ?? [];
      expect(Boolean(p.GenerateSecret), client.clientId).toBe(Boolean(client.clientSecret));
      expect(p.ExplicitAuthFlows, client.clientId).toEqual(client.explicitAuthFlows ?? []);
      expect(p.AllowedOAuthFlows ?? [], client.clientId).toEqual(flows);
      expect(Boolean(p.AllowedOAuthFlowsUserPoolClient), client.clientId).toBe(flows.length > 0);
      expect((p.AllowedOAuthScopes ?? []).map(resolveScope).sort(), client.clientId).toEqual(
        [...(client.allowedOAuthScopes ?? [])].sort(),
      );
      expect(p.CallbackURLs ?? [], client.clientId).toEqual(client.callbackUrls ?? []);
      expect(p.LogoutURLs ?? [], client.clientId).toEqual(client.logoutUrls ?? []);
    }
  });

  it('runs the triggers pool.json names, pre token generation at its version, on the Essentials plan', () => {
    const [[, userPool]] = of('AWS::Cognito::UserPool') as [[string, any]];
    const config = userPool.LambdaConfig;
    const triggers = pool.triggers!;
    const handlerOf = (ref: unknown) => synth.json.Resources[refId(ref)!]!.Properties!.Handler as string;
    expect(handlerOf(config.PreSignUp)).toBe(`index.${triggers.preSignUp}`);
    expect(handlerOf(config.PostConfirmation)).toBe(`index.${triggers.postConfirmation}`);
    expect(handlerOf(config.PreTokenGenerationConfig.LambdaArn)).toBe(`index.${triggers.preTokenGeneration}`);
    expect(config.PreTokenGenerationConfig.LambdaVersion).toBe(triggers.preTokenGenerationVersion);
    expect(userPool.UserPoolTier).toBe('ESSENTIALS');
    expect(userPool.UserPoolAddOns).toBeUndefined();
    expect(userPool.Policies.PasswordPolicy.MinimumLength).toBe(pool.passwordPolicy.minimumLength);
    expect(userPool.UsernameAttributes).toEqual(pool.usernameAttributes);
  });

  it('has a hosted domain', () => {
    synth.template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it("keeps each machine client's id and secret in Secrets Manager, and no secret of pool.json in the template", () => {
    const secrets = of('AWS::SecretsManager::Secret').map(([, p]) => p.Name as string);
    for (const client of pool.clients.filter((c) => isMachineClient(c) && c.clientSecret)) {
      expect(secrets).toContain(`helpline/m2m/${client.clientId}`);
    }
    const text = JSON.stringify(synth.json);
    for (const client of pool.clients.filter((c) => c.clientSecret)) {
      expect(text).not.toContain(client.clientSecret);
    }
  });
});

describe('API Gateway (seed §7.1)', () => {
  const methods = () => of('AWS::ApiGateway::Method').map(([, p]) => p);

  it('routes /users, /orders and /products, with and without a sub-path, through the VPC link', () => {
    const paths = of('AWS::ApiGateway::Resource').map(([, p]) => p.PathPart as string);
    for (const prefix of Object.keys(ROUTES)) expect(paths).toContain(prefix);
    expect(paths.filter((p) => p === '{proxy+}')).toHaveLength(Object.keys(ROUTES).length);
    for (const method of methods().filter((m) => m.HttpMethod !== 'OPTIONS')) {
      expect(method.Integration.Type).toBe('HTTP_PROXY');
      expect(method.Integration.ConnectionType).toBe('VPC_LINK');
    }
  });

  it('puts the Cognito authorizer on every route, taking access tokens of every scope the pool issues', () => {
    const [[authorizerId, authorizer]] = of('AWS::ApiGateway::Authorizer') as [[string, any]];
    expect(authorizer.Type).toBe('COGNITO_USER_POOLS');
    const routes = methods().filter((m) => m.HttpMethod !== 'OPTIONS');
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(ROUTES).length * 2);
    for (const method of routes) {
      expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(refId(method.AuthorizerId)).toBe(authorizerId);
      expect(method.AuthorizationScopes).toEqual(allScopes(pool));
      expect(method.ApiKeyRequired).toBe(true);
    }
    // CORS preflight needs no token.
    for (const method of methods().filter((m) => m.HttpMethod === 'OPTIONS')) {
      expect(method.AuthorizationType).toBe('NONE');
    }
  });

  it('has the usage plans of infra/gateway/usage-plans.json, and keyless.perIp as the stage throttle', () => {
    const created = new Map(of('AWS::ApiGateway::UsagePlan').map(([, p]) => [p.UsagePlanName as string, p]));
    expect([...created.keys()].sort()).toEqual(Object.keys(plans.plans).sort());
    for (const [name, plan] of Object.entries(plans.plans)) {
      const p = created.get(name)!;
      expect(p.Description).toBe(plan.description);
      expect(p.Throttle).toEqual({
        RateLimit: plan.throttle!.rateLimit,
        BurstLimit: plan.throttle!.burstLimit,
      });
      expect(p.Quota).toEqual({ Limit: plan.quota!.limit, Period: plan.quota!.period });
      const throttles = p.ApiStages[0].Throttle ?? {};
      expect(Object.keys(throttles).sort()).toEqual(Object.keys(plan.methodThrottles ?? {}).sort());
      for (const [key, t] of Object.entries(plan.methodThrottles ?? {})) {
        expect(throttles[key]).toEqual({ RateLimit: t.rateLimit, BurstLimit: t.burstLimit });
      }
    }
    const [[, stage]] = of('AWS::ApiGateway::Stage') as [[string, any]];
    const settings = stage.MethodSettings.find((s: any) => s.ResourcePath === '/*' && s.HttpMethod === '*');
    expect(settings.ThrottlingRateLimit).toBe(plans.keyless!.perIp!.throttle!.rateLimit);
    expect(settings.ThrottlingBurstLimit).toBe(plans.keyless!.perIp!.throttle!.burstLimit);
    expect(settings.MetricsEnabled).toBe(true);
    expect(stage.AccessLogSetting.DestinationArn).toBeDefined();
  });

  it("answers CORS preflights for the SPA's origin, and puts CORS headers on its own errors", () => {
    const origin = new URL(pool.clients.find((c) => c.callbackUrls?.length)!.callbackUrls![0]!).origin;
    const preflight = methods().find((m) => m.HttpMethod === 'OPTIONS')!;
    expect(JSON.stringify(preflight.Integration.IntegrationResponses)).toContain(origin);
    const responses = of('AWS::ApiGateway::GatewayResponse').map(([, p]) => p.ResponseType);
    expect(responses.sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
  });
});

describe('network, compute and data', () => {
  it('lets no security group admit the internet', () => {
    const open = (rule: any) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';
    for (const [id, sg] of of('AWS::EC2::SecurityGroup')) {
      expect((sg.SecurityGroupIngress ?? []).filter(open), id).toEqual([]);
    }
    for (const [id, rule] of of('AWS::EC2::SecurityGroupIngress')) expect(open(rule), id).toBe(false);
  });

  it('lets each database be reached by its own service alone', () => {
    const rules = of('AWS::EC2::SecurityGroupIngress');
    const databases = of('AWS::RDS::DBInstance');
    expect(databases).toHaveLength(services.filter((s) => s.database).length);
    for (const [, db] of databases) {
      const dbGroup = refId(db.VPCSecurityGroups[0]);
      const into = rules.filter(([, r]) => refId(r.GroupId) === dbGroup);
      expect(into).toHaveLength(1);
      expect(into[0]![1].FromPort).toBe(5432);
      const service = of('AWS::ECS::Service').find(
        ([, s]) =>
          refId(s.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]) ===
          refId(into[0]![1].SourceSecurityGroupId),
      );
      expect(service, 'the source is a service').toBeDefined();
      expect(db.StorageEncrypted).toBe(true);
      expect(db.MultiAZ).toBe(true);
      expect(db.EngineVersion).toMatch(/^17/);
    }
  });

  it("gives each service its database and role of the launcher's declaration", () => {
    const databases = of('AWS::RDS::DBInstance')
      .map(([, p]) => p.DBName as string)
      .sort();
    expect(databases).toEqual(services.flatMap((s) => (s.database ? [s.database.name] : [])).sort());
    const secrets = of('AWS::SecretsManager::Secret');
    for (const service of services.filter((s) => s.database)) {
      const secret = secrets.find(([, p]) => p.Name === `helpline/${service.name}/database`);
      expect(secret, service.name).toBeDefined();
      expect(JSON.parse(secret![1].GenerateSecretString.SecretStringTemplate).username).toBe(
        service.database!.role,
      );
    }
  });

  it('runs one Fargate service per app in private subnets, with no public IP, named in Cloud Map', () => {
    const ecsServices = of('AWS::ECS::Service');
    expect(ecsServices.map(([, s]) => s.ServiceName).sort()).toEqual(services.map((s) => s.name).sort());
    for (const [, s] of ecsServices) {
      expect(s.LaunchType).toBe('FARGATE');
      expect(s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
      expect(s.ServiceRegistries).toHaveLength(1);
    }
    const names = of('AWS::ServiceDiscovery::Service')
      .map(([, p]) => p.Name)
      .sort();
    expect(names).toEqual(services.map((s) => s.name).sort());
  });

  it("gives each container the launcher's variables, every credential from Secrets Manager", () => {
    const secretIds = new Set(of('AWS::SecretsManager::Secret').map(([id]) => id));
    const attachments = new Map(
      of('AWS::SecretsManager::SecretTargetAttachment').map(([id, p]) => [id, refId(p.SecretId)]),
    );
    const fromSecretsManager = (valueFrom: unknown) => {
      const id = JSON.stringify(valueFrom).match(/"(?:Ref)":"([^"]+)"/)?.[1];
      return Boolean(id && (secretIds.has(id) || secretIds.has(attachments.get(id) ?? '')));
    };
    const containers = of('AWS::ECS::TaskDefinition').flatMap(([, t]) => t.ContainerDefinitions);
    for (const service of services) {
      const container = containers.find((c: any) => c.Name === service.name);
      const environment = new Map<string, unknown>(container.Environment.map((e: any) => [e.Name, e.Value]));
      const secrets = new Map<string, unknown>(container.Secrets.map((s: any) => [s.Name, s.ValueFrom]));
      for (const name of service.envNames) {
        if (name === 'SEED_DEMO_DATA') continue;
        if (name === 'DATABASE_URL') {
          for (const part of Object.keys(DATABASE_SECRET_FIELDS))
            expect(secrets.has(part), `${service.name} ${part}`).toBe(true);
          continue;
        }
        expect(environment.has(name) || secrets.has(name), `${service.name} ${name}`).toBe(true);
      }
      for (const name of environment.keys())
        expect(name, service.name).not.toMatch(/SECRET|PASSWORD|TOKEN$|KEY$/);
      for (const [name, valueFrom] of secrets)
        expect(fromSecretsManager(valueFrom), `${service.name} ${name}`).toBe(true);
      for (const [name, target] of Object.entries(service.upstreams)) {
        const port = services.find((s) => s.name === target)!.port;
        expect(environment.get(name)).toBe(`http://${target}.helpline.internal:${port}`);
      }
    }
  });

  it('lets the Post confirmation trigger reach the service the triggers call, its secret by name only', () => {
    const [, fn] = of('AWS::Lambda::Function').find(
      ([, p]) => p.Handler === `index.${pool.triggers!.postConfirmation}`,
    )!;
    const variables = fn.Environment.Variables;
    const target = services.find((s) => s.name === triggersUpstream())!;
    expect(variables.USER_SERVICE_URL).toBe(`http://${target.name}.helpline.internal:${target.port}`);
    expect(variables.SERVICE_CLIENT_SECRET_ID).toBe('helpline/m2m/user-provisioner');
    expect(Object.keys(variables).filter((n) => /SECRET$|PASSWORD/.test(n))).toEqual([]);
    expect(fn.VpcConfig).toBeDefined();
  });
});

describe('observability', () => {
  it('keeps every log group for a bounded time', () => {
    for (const [id, group] of of('AWS::Logs::LogGroup')) expect(group.RetentionInDays, id).toBeGreaterThan(0);
  });

  it('alarms on the 5xx rate, p99 latency, the 429 rate and the outbox backlog, and has one dashboard', () => {
    const alarms = of('AWS::CloudWatch::Alarm').map(([, p]) => p.AlarmDescription as string);
    expect(alarms).toHaveLength(4);
    expect(alarms.join('\n')).toMatch(/5xx[\s\S]*p99[\s\S]*429[\s\S]*outbox/);
    synth.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const filters = of('AWS::Logs::MetricFilter').map(([, p]) => p.FilterPattern);
    expect(filters).toContain('{ $.status = "429" }');
  });
});
