/**
 * The edge, one of two (context helpline:edge):
 *
 * - `apigateway` (seed §7.1, the default): API Gateway REST with the Cognito authorizer on every
 *   route, `/users`, `/orders`, `/products` through a VPC link to an internal NLB in front of the
 *   services, usage plans and API keys from infra/gateway/usage-plans.json (the file the NestJS
 *   gateway enforces), CORS, TLS 1.2 on the custom domain, access logs, metrics and a stage throttle.
 * - `nestjs` (seed §7.3): apps/api-gateway on Fargate behind an internet-facing ALB; it enforces
 *   the same plan file itself.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HelplineConfig } from './config.js';
import { allScopes, type PoolDefinition, type Throttle, type UsagePlanFile } from './definitions.js';
import type { Identity } from './identity.js';
import type { AppService } from './services.js';

/** Seed §7.1: each path prefix and the service behind it. */
export const ROUTES: Readonly<Record<string, string>> = {
  users: 'user-service',
  orders: 'order-service',
  products: 'product-service',
};

/** Headers a browser may send and read across origins (the services' own, plus API Gateway's key). */
const CORS_HEADERS = ['Authorization', 'Content-Type', 'X-Api-Key', 'X-Correlation-Id', 'Idempotency-Key'];
const CORS_EXPOSED = ['X-Correlation-Id', 'Retry-After'];

const PERIOD: Record<string, apigw.Period> = {
  DAY: apigw.Period.DAY,
  WEEK: apigw.Period.WEEK,
  MONTH: apigw.Period.MONTH,
};

/** The browser origins CORS admits: the context's, or those of the SPA client's callback URLs. */
export function corsOrigins(config: HelplineConfig, pool: PoolDefinition): string[] {
  if (config.corsOrigins) return config.corsOrigins;
  const callbacks = config.spaCallbackUrls ?? pool.clients.flatMap((c) => c.callbackUrls ?? []);
  return [...new Set(callbacks.map((url) => new URL(url).origin))];
}

export interface ApiGatewayEdgeProps {
  config: HelplineConfig;
  pool: PoolDefinition;
  plans: UsagePlanFile;
  vpc: ec2.IVpc;
  services: ReadonlyMap<string, AppService>;
  identity: Identity;
  logRetention: logs.RetentionDays;
}

export class ApiGatewayEdge extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly usagePlans = new Map<string, apigw.UsagePlan>();
  /** `<resource path>/<HTTP method>` → method, as usage-plans.json keys its method throttles. */
  readonly methods = new Map<string, apigw.Method>();

  constructor(scope: Construct, id: string, props: ApiGatewayEdgeProps) {
    super(scope, id);
    const { config, pool, plans, vpc, services, identity } = props;

    // The internal NLB the VPC link targets (REST APIs' VPC links need an NLB). Its security group
    // admits nothing directly; VPC-link (PrivateLink) traffic is not subject to it.
    const lbSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'Internal NLB behind the API Gateway VPC link',
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      crossZoneEnabled: true,
      securityGroups: [lbSecurityGroup],
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: false,
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason:
        "TCP listeners: NLB access logs cover TLS connections only. Every request is in API Gateway's access log " +
        "(with its request id) and in the service's own request log.",
    });
    const vpcLink = new apigw.VpcLink(this, 'VpcLink', {
      description: 'API Gateway → internal NLB → services',
      targets: [this.loadBalancer],
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const origins = corsOrigins(config, pool);
    const stageThrottle = plans.keyless?.perIp?.throttle;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: 'helpline',
      description: 'helpline: /users, /orders, /products behind the Cognito authorizer (seed §7.1)',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      deployOptions: {
        stageName: 'prod',
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            correlationId: '$context.requestOverride.header.x-correlation-id',
            ip: '$context.identity.sourceIp',
            caller: '$context.authorizer.claims.sub',
            clientId: '$context.authorizer.claims.client_id',
            apiKeyId: '$context.identity.apiKeyId',
            method: '$context.httpMethod',
            path: '$context.path',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            error: '$context.error.responseType',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integration.latency',
            time: '$context.requestTimeEpoch',
          }),
        ),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        // infra/gateway/usage-plans.json: callers without a key share the stage's budget, whose
        // figures are keyless.perIp's (API Gateway has no per-caller budget without a key).
        ...(stageThrottle
          ? { throttlingRateLimit: stageThrottle.rateLimit, throttlingBurstLimit: stageThrottle.burstLimit }
          : {}),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: origins,
        allowHeaders: CORS_HEADERS,
        exposeHeaders: CORS_EXPOSED,
        allowMethods: apigw.Cors.ALL_METHODS,
        maxAge: Duration.hours(1),
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level role for execution logs; the AWS-managed policy is the documented way to " +
        'grant it, and it allows writing logs only.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF web ACL yet: the stage throttle and usage plans bound the load, and the Cognito authorizer turns ' +
        'away unauthenticated calls before they reach a service. A web ACL (managed rules, per-IP rate rule) is a ' +
        'follow-up with its own cost.',
    });
    // Errors API Gateway answers itself (401 from the authorizer, 429, 5xx) carry CORS headers
    // too, so that a browser can read them (seed §7.2: CORS through gateway responses).
    const allowOrigin = origins.length === 1 ? `'${origins[0]}'` : "'*'";
    for (const type of [apigw.ResponseType.DEFAULT_4XX, apigw.ResponseType.DEFAULT_5XX]) {
      this.api.addGatewayResponse(`Cors-${type.responseType}`, {
        type,
        responseHeaders: {
          'Access-Control-Allow-Origin': allowOrigin,
          'Access-Control-Expose-Headers': `'${CORS_EXPOSED.join(',')}'`,
        },
      });
    }

    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [identity.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    // With scopes listed, the authorizer takes access tokens (what the services accept) rather
    // than ID tokens; a token needs any one of them. Every scope a token of the pool can carry
    // is listed: the services decide the rest (roles, scopes per route).
    const methodOptions: apigw.MethodOptions = {
      authorizer,
      authorizationType: apigw.AuthorizationType.COGNITO,
      authorizationScopes: allScopes(pool),
      apiKeyRequired: config.apiKeyRequired,
      requestValidator: validator,
    };

    // The methods the plan file throttles one by one (`/orders/POST`) need a method of their own
    // beside ANY; API Gateway prefers it for that verb.
    const throttledMethods = new Set(
      [...Object.values(plans.plans), ...Object.values(plans.keyless ?? {})].flatMap((plan) =>
        Object.keys(plan?.methodThrottles ?? {}),
      ),
    );

    for (const [prefix, serviceName] of Object.entries(ROUTES)) {
      const target = services.get(serviceName);
      if (!target) throw new Error(`route /${prefix}: ${serviceName} is not deployed`);
      const { port } = target.deployable;
      const listener = this.loadBalancer.addListener(`Listener-${serviceName}`, {
        port,
        protocol: elbv2.Protocol.TCP,
      });
      listener.addTargets(serviceName, {
        port,
        protocol: elbv2.Protocol.TCP,
        targets: [target.service.loadBalancerTarget({ containerName: serviceName, containerPort: port })],
        deregistrationDelay: Duration.seconds(30),
        healthCheck: { protocol: elbv2.Protocol.HTTP, path: '/health/ready', interval: Duration.seconds(15) },
      });
      target.allowFrom(lbSecurityGroup, 'the internal NLB (API Gateway VPC link)');

      const base = `http://${this.loadBalancer.loadBalancerDnsName}:${port}`;
      const integration = (path: string, proxy: boolean) =>
        new apigw.Integration({
          type: apigw.IntegrationType.HTTP_PROXY,
          integrationHttpMethod: 'ANY',
          uri: `${base}${path}`,
          options: {
            connectionType: apigw.ConnectionType.VPC_LINK,
            vpcLink,
            timeout: Duration.seconds(29),
            ...(proxy
              ? { requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } }
              : {}),
          },
        });
      const resource = this.api.root.addResource(prefix);
      const proxyResource = resource.addResource('{proxy+}');
      const add = (on: apigw.Resource, verb: string, proxy: boolean) => {
        const method = on.addMethod(verb, integration(proxy ? `/${prefix}/{proxy}` : `/${prefix}`, proxy), {
          ...methodOptions,
          ...(proxy ? { requestParameters: { 'method.request.path.proxy': true } } : {}),
        });
        this.methods.set(`${on.path}/${verb}`, method);
      };
      add(resource, 'ANY', false);
      add(proxyResource, 'ANY', true);
      for (const key of throttledMethods) {
        const at = key.lastIndexOf('/');
        const path = key.slice(0, at);
        const verb = key.slice(at + 1);
        if (verb === 'ANY' || verb === '*') continue;
        if (path === resource.path) add(resource, verb, false);
        else if (path === proxyResource.path) add(proxyResource, verb, true);
      }
    }

    for (const [name, plan] of Object.entries(plans.plans)) {
      const throttles = Object.entries(plan.methodThrottles ?? {}).map(([key, throttle]) => {
        const method = this.methods.get(key.replace(/\/\*$/, '/ANY'));
        if (!method)
          throw new Error(`usage-plans.json: plan ${name} throttles ${key}, which the API has no method for`);
        return { method, throttle: throttleOf(throttle) };
      });
      const usagePlan = this.api.addUsagePlan(`Plan-${name}`, {
        name,
        ...(plan.description ? { description: plan.description } : {}),
        ...(plan.throttle ? { throttle: throttleOf(plan.throttle) } : {}),
        ...(plan.quota ? { quota: { limit: plan.quota.limit, period: PERIOD[plan.quota.period]! } } : {}),
        apiStages: [{ api: this.api, stage: this.api.deploymentStage, throttle: throttles }],
      });
      this.usagePlans.set(name, usagePlan);
    }
    for (const key of config.apiKeys) {
      const usagePlan = this.usagePlans.get(key.plan);
      if (!usagePlan) throw new Error(`context helpline:apiKeys: ${key.name} names unknown plan ${key.plan}`);
      usagePlan.addApiKey(this.api.addApiKey(`ApiKey-${key.name}`, { apiKeyName: key.name }));
    }

    if (config.apiDomainName && config.apiCertificateArn) {
      this.api.addDomainName('Domain', {
        domainName: config.apiDomainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', config.apiCertificateArn),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
    }
  }
}

function throttleOf(throttle: Throttle): apigw.ThrottleSettings {
  return { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit };
}

export interface NestGatewayEdgeProps {
  config: HelplineConfig;
  vpc: ec2.IVpc;
  gateway: AppService;
}

/** apps/api-gateway behind an internet-facing ALB (seed §7.3). */
export class NestGatewayEdge extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: NestGatewayEdgeProps) {
    super(scope, id);
    const { config, vpc, gateway } = props;
    const https = Boolean(config.apiCertificateArn);
    const securityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'The public edge: HTTPS from anywhere to the ALB in front of the NestJS gateway',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(https ? 443 : 80), 'the public API');
    if (https) securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'redirected to HTTPS');
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'This is the internet-facing load balancer, the only public entry; the gateway, the services and the ' +
        "databases admit only their callers' security groups.",
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup,
      dropInvalidHeaderFields: true,
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason:
        'The NestJS gateway writes an access log line for every request (status, latency, correlation id) to ' +
        'CloudWatch; ALB access logs would duplicate it into an S3 bucket.',
    });
    const listener = https
      ? this.loadBalancer.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          certificates: [elbv2.ListenerCertificate.fromArn(config.apiCertificateArn!)],
          // TLS 1.3 and 1.2 only (seed §11.2).
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          open: false,
        })
      : this.loadBalancer.addListener('Http', { port: 80, open: false });
    if (https) this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
    const { port, name } = gateway.deployable;
    this.targetGroup = listener.addTargets('Gateway', {
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [gateway.service.loadBalancerTarget({ containerName: name, containerPort: port })],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: '/health/ready', interval: Duration.seconds(15) },
    });
    gateway.allowFrom(securityGroup, 'the public ALB');
  }
}
