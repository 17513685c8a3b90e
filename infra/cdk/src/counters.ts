/**
 * The NestJS gateway's usage-plan counters on AWS: ElastiCache for Redis OSS, so that the
 * gateway's tasks (helpline:desiredCount of them, two by default) share one budget exactly, as
 * `REDIS_URL` makes them do locally. Without it each task would keep its own counters, and a
 * caller's rate, burst and quota would be as many times the plan's as there are tasks.
 *
 * In the isolated subnets beside the databases, reachable from the gateway's tasks alone; TLS in
 * transit (the gateway connects with `rediss://`), encrypted at rest, and Redis AUTH with a token
 * kept in Secrets Manager, which ECS injects into the gateway's container (never the template).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { HelplineConfig } from './config.js';

/** Not Redis's default 6379: one more thing a scan of the VPC has to guess. */
export const COUNTERS_PORT = 6380;

/** The settings ECS gives the gateway; infra/docker/start.mjs joins them into REDIS_URL. */
export interface CountersEndpoint {
  host: string;
  port: number;
  /** The AUTH token, as the whole secret string. */
  secret: secretsmanager.ISecret;
}

export interface GatewayCountersProps {
  config: HelplineConfig;
  vpc: ec2.IVpc;
}

export class GatewayCounters extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly endpoint: CountersEndpoint;

  constructor(scope: Construct, id: string, props: GatewayCountersProps) {
    super(scope, id);
    const { config, vpc } = props;

    // ElastiCache takes 16–128 printable characters without @, " or /: letters and digits only.
    const secret = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: 'helpline/api-gateway/redis-auth-token',
      description: "Redis AUTH token of the NestJS gateway's usage-plan counters",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The gateway reads the token once at start; rotating it is a two-step ElastiCache change (ROTATE, then ' +
        'SET) with a restart of the gateway in between (README: Deploying to AWS), not a Lambda rotation.',
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'api-gateway usage-plan counters (Redis): reachable from the gateway tasks only',
      allowAllOutbound: false,
    });

    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'api-gateway usage-plan counters: the isolated subnets',
      subnetIds: vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: "api-gateway usage-plan counters, shared by the gateway's tasks",
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: 'cache.t4g.micro',
      // A replica in the other zone takes over on failure; the counters are lost at worst, which
      // gives every caller a fresh budget for the rest of the period, never a refusal.
      numCacheClusters: config.multiAz ? 2 : 1,
      multiAzEnabled: config.multiAz,
      automaticFailoverEnabled: config.multiAz,
      port: COUNTERS_PORT,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: secret.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      autoMinorVersionUpgrade: true,
    });
    if (!config.multiAz) {
      Validations.of(this.replicationGroup).acknowledge({
        id: 'AwsSolutions-AEC4',
        reason:
          'Single-AZ was asked for explicitly (context helpline:multiAz=false), for a non-production stack; ' +
          'while the node is down the gateway limits on each task alone (its insurance limiter).',
      });
    }

    this.endpoint = {
      host: this.replicationGroup.attrPrimaryEndPointAddress,
      port: COUNTERS_PORT,
      secret,
    };
  }

  /** Lets `peer` (the gateway's tasks) reach the counters. */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(COUNTERS_PORT), description);
  }
}
