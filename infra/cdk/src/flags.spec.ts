/* eslint-disable @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON */
/**
 * The context flags: each alternative synthesizes, passes cdk-nag, and does what it says.
 * The triggers are not bundled here (stack.spec.ts bundles them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COUNTERS_PORT } from './counters.js';
import { GATEWAY_REDIS_FAILING, GATEWAY_THROTTLED } from './log-patterns.js';
import { readPool } from './definitions.js';
import { corsOrigins } from './edge.js';
import { resourcesOf, type Synthesized, synthesize } from './synth.test-support.js';
import { gatewayDeployable } from './system.js';

const pool = readPool();
const refId = (value: unknown): string | undefined =>
  (value as { Ref?: string })?.Ref ?? (value as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];
const CERTIFICATE =
  'arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

describe('API Gateway with a custom domain, the Identity Pool, threat protection, API keys, single-AZ', () => {
  let synth: Synthesized;
  const of = (type: string) => resourcesOf(synth.json, type);
  beforeAll(() => {
    synth = synthesize(
      {
        'helpline:apiDomainName': 'api.example.com',
        'helpline:apiCertificateArn': CERTIFICATE,
        'helpline:identityPool': 'true',
        'helpline:advancedSecurity': 'enforced',
        'helpline:apiKeys': 'acme:basic',
        'helpline:multiAz': 'false',
        'helpline:deletionProtection': 'false',
        'helpline:spaCallbackUrls': 'https://app.example.com/callback',
        'helpline:spaLogoutUrls': 'https://app.example.com/',
      },
      { bundle: false },
    );
  }, 120_000);

  it('passes cdk-nag', () => {
    expect(synth.violations).toEqual([]);
  });

  it('serves the API on the custom domain with TLS 1.2 at least', () => {
    const [[, domain]] = of('AWS::ApiGateway::DomainName') as [[string, any]];
    expect(domain.DomainName).toBe('api.example.com');
    expect(domain.SecurityPolicy).toBe('TLS_1_2');
    expect(domain.RegionalCertificateArn).toBe(CERTIFICATE);
  });

  it('maps each group to an IAM role through the Identity Pool', () => {
    synth.template.resourceCountIs('AWS::Cognito::IdentityPool', 1);
    const [[, attachment]] = of('AWS::Cognito::IdentityPoolRoleAttachment') as [[string, any]];
    const mapping = Object.values(attachment.RoleMappings as Record<string, { Type: string }>)[0]!;
    expect(mapping.Type).toBe('Token');
    const groups = of('AWS::Cognito::UserPoolGroup');
    expect(groups).toHaveLength(pool.groups.length);
    for (const [, group] of groups) {
      const role = synth.json.Resources[refId(group.RoleArn)!]!;
      expect(role.Type).toBe('AWS::IAM::Role');
    }
  });

  it('turns threat protection on (the Plus plan), and takes the SPA URLs and CORS origin from context', () => {
    const [[, userPool]] = of('AWS::Cognito::UserPool') as [[string, any]];
    expect(userPool.UserPoolTier).toBe('PLUS');
    expect(userPool.UserPoolAddOns.AdvancedSecurityMode).toBe('ENFORCED');
    const spa = of('AWS::Cognito::UserPoolClient').find(([, c]) => c.CallbackURLs)![1];
    expect(spa.CallbackURLs).toEqual(['https://app.example.com/callback']);
    expect(spa.LogoutURLs).toEqual(['https://app.example.com/']);
    const preflight = of('AWS::ApiGateway::Method').find(([, m]) => m.HttpMethod === 'OPTIONS')![1];
    expect(JSON.stringify(preflight.Integration.IntegrationResponses)).toContain('https://app.example.com');
  });

  it('binds the API key to its plan', () => {
    synth.template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    const [[, key]] = of('AWS::ApiGateway::UsagePlanKey') as [[string, any]];
    expect(synth.json.Resources[refId(key.UsagePlanId)!]!.Properties!.UsagePlanName).toBe('basic');
  });

  it('runs single-AZ databases without deletion protection, as asked', () => {
    for (const [, db] of of('AWS::RDS::DBInstance')) {
      expect(db.MultiAZ).toBe(false);
      expect(db.DeletionProtection).toBe(false);
    }
  });

  it("has no Redis: API Gateway keeps its usage plans' counters itself", () => {
    synth.template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
  });
});

describe('the NestJS gateway on Fargate behind an ALB (helpline:edge=nestjs)', () => {
  let synth: Synthesized;
  const of = (type: string) => resourcesOf(synth.json, type);
  const gateway = gatewayDeployable();
  beforeAll(() => {
    synth = synthesize(
      {
        'helpline:edge': 'nestjs',
        'helpline:apiCertificateArn': CERTIFICATE,
        'helpline:apiDomainName': 'api.example.com',
      },
      { bundle: false },
    );
  }, 120_000);

  it('passes cdk-nag', () => {
    expect(synth.violations).toEqual([]);
  });

  it('has no API Gateway, and the gateway service with its own database', () => {
    synth.template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    const services = of('AWS::ECS::Service').map(([, s]) => s.ServiceName);
    expect(services).toContain(gateway.name);
    expect(of('AWS::RDS::DBInstance').map(([, p]) => p.DBName)).toContain(gateway.database!.name);
  });

  it('terminates TLS 1.2+ at an internet-facing ALB, the only group open to the internet', () => {
    const [[albId, alb]] = of('AWS::ElasticLoadBalancingV2::LoadBalancer') as [[string, any]];
    expect(alb.Scheme).toBe('internet-facing');
    const https = of('AWS::ElasticLoadBalancingV2::Listener').find(([, l]) => l.Protocol === 'HTTPS')![1];
    expect(https.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    const open = of('AWS::EC2::SecurityGroup').filter(([, sg]) =>
      (sg.SecurityGroupIngress ?? []).some((r: any) => r.CidrIp === '0.0.0.0/0'),
    );
    expect(open.map(([id]) => id)).toEqual([refId(alb.SecurityGroups[0])]);
    expect(albId).toBeDefined();
  });

  it('keeps the usage-plan counters in one ElastiCache Redis: Multi-AZ, TLS, encrypted, AUTH from Secrets Manager', () => {
    const groups = of('AWS::ElastiCache::ReplicationGroup');
    expect(groups).toHaveLength(1);
    const [[, redis]] = groups as [[string, any]];
    expect(redis.TransitEncryptionEnabled).toBe(true);
    expect(redis.AtRestEncryptionEnabled).toBe(true);
    expect(redis.MultiAZEnabled).toBe(true);
    expect(redis.AutomaticFailoverEnabled).toBe(true);
    expect(redis.NumCacheClusters).toBe(2);
    expect(redis.Port).toBe(COUNTERS_PORT);
    // The token is a dynamic reference resolved by CloudFormation, never a value in the template.
    const token = JSON.stringify(redis.AuthToken);
    expect(token).toContain('{{resolve:secretsmanager:');
    const secretId = token.match(/"Ref":"([^"]+)"/)?.[1];
    expect(synth.json.Resources[secretId!]?.Type).toBe('AWS::SecretsManager::Secret');
    // In the isolated subnets, like the databases.
    const [[, subnets]] = of('AWS::ElastiCache::SubnetGroup') as [[string, any]];
    expect(refId(redis.CacheSubnetGroupName)).toBe(of('AWS::ElastiCache::SubnetGroup')[0]![0]);
    for (const subnet of subnets.SubnetIds) {
      const tags = synth.json.Resources[refId(subnet)!]!.Properties!.Tags as Array<{
        Key: string;
        Value: string;
      }>;
      expect(tags.find((t) => t.Key === 'aws-cdk:subnet-type')?.Value).toBe('Isolated');
    }
  });

  it("lets the gateway's tasks alone reach Redis; gives the gateway its endpoint, token, CORS origins, the ALB's hop", () => {
    const [[, redis]] = of('AWS::ElastiCache::ReplicationGroup') as [[string, any]];
    const redisGroup = refId(redis.SecurityGroupIds[0]);
    const gatewayTask = of('AWS::ECS::TaskDefinition').find(([, t]) =>
      t.ContainerDefinitions.some((c: any) => c.Name === gateway.name),
    )![1];
    const service = of('AWS::ECS::Service').find(([, s]) => s.ServiceName === gateway.name)![1];
    const gatewayGroup = refId(service.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]);
    const inline = synth.json.Resources[redisGroup!]!.Properties!.SecurityGroupIngress ?? [];
    const separate = of('AWS::EC2::SecurityGroupIngress')
      .filter(([, rule]) => refId(rule.GroupId) === redisGroup)
      .map(([, rule]) => rule);
    const rules = [...inline, ...separate];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(refId(rule.SourceSecurityGroupId)).toBe(gatewayGroup);
      expect([rule.FromPort, rule.ToPort]).toEqual([COUNTERS_PORT, COUNTERS_PORT]);
    }

    const container = gatewayTask.ContainerDefinitions.find((c: any) => c.Name === gateway.name);
    const environment = new Map<string, any>(container.Environment.map((e: any) => [e.Name, e.Value]));
    const secrets = new Map<string, any>(container.Secrets.map((e: any) => [e.Name, e.ValueFrom]));
    expect(environment.has('REDIS_URL')).toBe(false);
    expect(environment.get('REDIS_HOST')).toEqual({
      'Fn::GetAtt': [of('AWS::ElastiCache::ReplicationGroup')[0]![0], 'PrimaryEndPoint.Address'],
    });
    expect(environment.get('REDIS_PORT')).toBe(String(COUNTERS_PORT));
    expect(environment.get('REDIS_TLS')).toBe('true');
    const tokenSecret = JSON.stringify(redis.AuthToken).match(/"Ref":"([^"]+)"/)?.[1];
    expect(JSON.stringify(secrets.get('REDIS_PASSWORD'))).toContain(`"Ref":"${tokenSecret}"`);
    // The SPA's origins, as API Gateway admits them (edge.ts).
    const origins = corsOrigins(synth.stack.config, pool);
    expect(environment.get('GATEWAY_CORS_ORIGINS')).toBe(origins.join(','));
    // The ALB, by its subnets, is the proxy it believes: callers are told apart by their own address.
    const albSubnets = of('AWS::EC2::Subnet')
      .filter(([, subnet]) =>
        subnet.Tags.some((t: any) => t.Key === 'aws-cdk:subnet-type' && t.Value === 'Public'),
      )
      .map(([, subnet]) => subnet.CidrBlock);
    expect(albSubnets).toHaveLength(2);
    expect(environment.get('TRUST_PROXY')).toBe(albSubnets.join(','));
  });

  it("alarms on the ALB's figures, the gateway's 429 log lines and its Redis failing", () => {
    expect(of('AWS::CloudWatch::Alarm')).toHaveLength(5);
    const filters = of('AWS::Logs::MetricFilter').map(([, p]) => p.FilterPattern);
    // test/log-patterns.spec.ts checks the pattern against the lines the gateway writes.
    expect(filters).toContain(GATEWAY_THROTTLED);
    // Its Redis failing: the one line the gateway writes when an outage begins fires the alarm.
    expect(filters).toContain(GATEWAY_REDIS_FAILING);
    const [, redisAlarm] = of('AWS::CloudWatch::Alarm').find(
      ([, a]) => a.MetricName === 'GatewayRedisFailing',
    )!;
    expect([redisAlarm.Threshold, redisAlarm.EvaluationPeriods, redisAlarm.ComparisonOperator]).toEqual([
      0,
      1,
      'GreaterThanThreshold',
    ]);
  });
});
