/**
 * helpline on AWS, in one environment-agnostic stack: `cdk synth` needs no account, and the
 * region and account are those `cdk deploy` runs with.
 */
import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type HelplineConfig, readConfig } from './config.js';
import { type PoolDefinition, readPool, readUsagePlans, type UsagePlanFile } from './definitions.js';
import { GatewayCounters } from './counters.js';
import { ApiGatewayEdge, corsOrigins, NestGatewayEdge } from './edge.js';
import { Identity } from './identity.js';
import { Observability } from './observability.js';
import { AppService, NAMESPACE, serviceUrl } from './services.js';
import {
  backendServices,
  type Deployable,
  deployables,
  gatewayDeployable,
  triggersUpstream,
} from './system.js';

export interface HelplineStackProps extends StackProps {
  /** Defaults: infra/cognito/pool.json, infra/gateway/usage-plans.json and the launcher's declaration. */
  pool?: PoolDefinition;
  plans?: UsagePlanFile;
  deployables?: Deployable[];
}

const pascal = (name: string): string =>
  name.replace(/(^|-)([a-z])/g, (_, __: string, c: string) => c.toUpperCase());

function retention(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter(
    (v): v is number => typeof v === 'number' && v > 0,
  );
  const match = allowed.sort((a, b) => a - b).find((v) => v >= days);
  return (match ?? logs.RetentionDays.TEN_YEARS) as logs.RetentionDays;
}

/**
 * What the NestJS gateway needs on AWS beyond the launcher's variables: the SPA's origins, as
 * API Gateway's CORS admits them (locally it defaults to the console's); and the ALB as the proxy
 * it believes, by its subnets' address ranges: the ALB appends each caller's address to
 * `X-Forwarded-For`. Without it every caller would be the ALB's address to the gateway, sharing
 * one per-IP budget and one address in the logs. (A hop count will not do: see TRUST_PROXY.)
 */
function gatewayEnvironment(origins: string[], albSubnets: string[]): Record<string, string> {
  return {
    TRUST_PROXY: Fn.join(',', albSubnets),
    ...(origins.length > 0 ? { GATEWAY_CORS_ORIGINS: origins.join(',') } : {}),
  };
}

export class HelplineStack extends Stack {
  readonly config: HelplineConfig;
  readonly identity: Identity;
  readonly services: ReadonlyMap<string, AppService>;
  readonly edge: ApiGatewayEdge | NestGatewayEdge;
  /** The NestJS gateway's shared usage-plan counters; none with API Gateway as the edge. */
  readonly counters: GatewayCounters | undefined;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: HelplineStackProps = {}) {
    super(scope, id, {
      description:
        'helpline: Cognito, ECS Fargate services, RDS PostgreSQL, the edge, alarms and a dashboard',
      ...props,
    });
    const config = (this.config = readConfig(this.node));
    const pool = props.pool ?? readPool();
    const plans = props.plans ?? readUsagePlans();
    const all = props.deployables ?? deployables();
    const logRetention = retention(config.logRetentionDays);

    // Network: public subnets hold the NAT gateways (and the ALB of the NestJS edge), services run
    // in private subnets, databases in isolated ones.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: config.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'services', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', {
              retention: logRetention,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
          ),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: NAMESPACE, vpc },
    });

    const backends = backendServices(all);
    const deployed = config.edge === 'nestjs' ? [...backends, gatewayDeployable(all)] : backends;
    const ports = new Map(deployed.map((d) => [d.name, d.port]));
    const upstreamOfTriggers = deployed.find((d) => d.name === triggersUpstream());
    if (!upstreamOfTriggers)
      throw new Error(`the triggers call ${triggersUpstream()}, which is not deployed`);

    this.identity = new Identity(this, 'Identity', {
      pool,
      config,
      vpc,
      userServiceUrl: serviceUrl(upstreamOfTriggers),
      logRetention,
    });

    // The NestJS gateway's tasks share one budget through Redis; API Gateway keeps its own counters.
    const gatewayName = config.edge === 'nestjs' ? gatewayDeployable(all).name : undefined;
    this.counters = gatewayName ? new GatewayCounters(this, 'GatewayCounters', { config, vpc }) : undefined;
    const origins = corsOrigins(config, pool);
    // Where the NestJS edge's ALB runs (edge.ts): the addresses the gateway believes about callers.
    const publicCidrs = vpc.publicSubnets.map((subnet) => subnet.ipv4CidrBlock);

    const services = new Map<string, AppService>();
    for (const deployable of deployed) {
      const isGateway = deployable.name === gatewayName;
      services.set(
        deployable.name,
        new AppService(this, pascal(deployable.name), {
          deployable,
          config,
          pool,
          vpc,
          cluster,
          identity: this.identity,
          logRetention,
          ports,
          ...(isGateway && this.counters ? { counters: this.counters.endpoint } : {}),
          ...(isGateway ? { environment: gatewayEnvironment(origins, publicCidrs) } : {}),
        }),
      );
    }
    this.services = services;
    if (gatewayName && this.counters) {
      this.counters.allowFrom(services.get(gatewayName)!.securityGroup, `${gatewayName} tasks`);
    }
    for (const d of deployed) {
      const caller = services.get(d.name)!;
      for (const target of new Set(Object.values(d.upstreams))) {
        services.get(target)?.allowFrom(caller.securityGroup, `${d.name} calls ${target}`);
      }
      // The order the launcher starts them in, so a first deployment brings callees up first.
      for (const dependency of d.dependsOn) {
        const callee = services.get(dependency);
        if (callee) caller.service.node.addDependency(callee.service);
      }
    }
    if (this.identity.postConfirmation) {
      services
        .get(upstreamOfTriggers.name)!
        .allowFrom(this.identity.postConfirmation, 'Post confirmation trigger');
    }

    if (config.edge === 'apigateway') {
      this.edge = new ApiGatewayEdge(this, 'Edge', {
        config,
        pool,
        plans,
        vpc,
        services,
        identity: this.identity,
        logRetention,
      });
      new CfnOutput(this, 'ApiUrl', { value: this.edge.api.url, description: 'The API (stage prod)' });
    } else {
      const gateway = services.get(gatewayDeployable(all).name)!;
      this.edge = new NestGatewayEdge(this, 'Edge', { config, vpc, gateway });
      new CfnOutput(this, 'ApiUrl', {
        value: `${config.apiCertificateArn ? 'https' : 'http'}://${this.edge.loadBalancer.loadBalancerDnsName}/`,
        description: 'The NestJS gateway behind its ALB',
      });
    }

    this.observability = new Observability(this, 'Observability', {
      config,
      edge:
        this.edge instanceof ApiGatewayEdge
          ? { kind: 'apigateway', construct: this.edge }
          : { kind: 'nestjs', construct: this.edge, gateway: services.get(gatewayDeployable(all).name)! },
      services,
      ...(services.get('order-service') ? { outboxService: services.get('order-service')! } : {}),
    });

    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'Issuer', { value: this.identity.issuer });
    new CfnOutput(this, 'TokenUrl', { value: this.identity.tokenUrl });
    for (const [clientId, client] of this.identity.clients) {
      new CfnOutput(this, `ClientId${pascal(clientId)}`, {
        value: client.userPoolClientId,
        description: `The app client pool.json calls ${clientId}`,
      });
    }

    this.acknowledgeGeneratedResources();
  }

  /**
   * Findings on resources CDK generates for us — the singleton functions behind log retention
   * (RDS's log groups) and AwsCustomResource (reading the generated client secrets) — each
   * acknowledged on that resource alone, with the reason it is acceptable.
   */
  private acknowledgeGeneratedResources(): void {
    const singletons = (prefix: string) =>
      this.node.children.filter((child) => child.node.id.startsWith(prefix));
    for (const fn of [...singletons('LogRetention'), ...singletons('AWS679f53fac002430cb0da5b7982bd2287')]) {
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's own helper function (log retention, or reading a Cognito client secret at deploy time); the " +
          'AWS-managed basic execution role only lets it write its own logs.',
      });
    }
    for (const fn of singletons('LogRetention')) {
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "CDK's log-retention function sets the retention of log groups that RDS creates by name at run time " +
          '(/aws/rds/instance/<id>/postgresql); logs:PutRetentionPolicy/DeleteRetentionPolicy only.',
      });
    }
  }
}
