/* eslint-disable @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON */
/**
 * The context flags: each alternative synthesizes, passes cdk-nag, and does what it says.
 * The triggers are not bundled here (stack.spec.ts bundles them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readPool } from './definitions.js';
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

  it("alarms on the ALB's figures and the gateway's 429 log lines", () => {
    expect(of('AWS::CloudWatch::Alarm')).toHaveLength(4);
    const filters = of('AWS::Logs::MetricFilter').map(([, p]) => p.FilterPattern);
    expect(filters).toContain('{ $.res.statusCode = 429 }');
  });
});
