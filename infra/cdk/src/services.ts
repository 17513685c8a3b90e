/**
 * One Fargate service per app, each with its own RDS PostgreSQL instance: private subnets, no
 * public IP, reached by the others through Cloud Map names (`<name>.helpline.internal`), with
 * every credential injected from Secrets Manager. The variables each container gets are the ones
 * the launcher gives the same part locally (tools/launcher/src/system.ts), with AWS's values.
 */
import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { HelplineConfig } from './config.js';
import type { CountersEndpoint } from './counters.js';
import type { PoolDefinition } from './definitions.js';
import type { Identity } from './identity.js';
import { type Deployable, REPO_ROOT } from './system.js';

/** The private DNS namespace the services find each other in. */
export const NAMESPACE = 'helpline.internal';

export const serviceUrl = (d: Pick<Deployable, 'name' | 'port'>): string =>
  `http://${d.name}.${NAMESPACE}:${d.port}`;

/** Variables the launcher sets that mean nothing on AWS. */
const LOCAL_ONLY_VARIABLES = new Set([
  // Demo data belongs to the embedded cluster; a real database is someone's to fill.
  'SEED_DEMO_DATA',
]);

/** The parts of DATABASE_URL, each from the instance's Secrets Manager secret; the image's entrypoint joins them. */
export const DATABASE_SECRET_FIELDS = {
  DATABASE_HOST: 'host',
  DATABASE_PORT: 'port',
  DATABASE_NAME: 'dbname',
  DATABASE_USER: 'username',
  DATABASE_PASSWORD: 'password',
} as const;

export interface AppServiceProps {
  deployable: Deployable;
  config: HelplineConfig;
  pool: PoolDefinition;
  vpc: ec2.IVpc;
  cluster: ecs.ICluster;
  identity: Identity;
  logRetention: logs.RetentionDays;
  /** Every deployed app's port, for the URLs one is given of another. */
  ports: ReadonlyMap<string, number>;
  /** The Redis its `REDIS_URL` names (the gateway's usage-plan counters, counters.ts). */
  counters?: CountersEndpoint;
  /** Settings the launcher leaves to the app's local defaults, with their values on AWS. */
  environment?: Record<string, string>;
}

/** One app on Fargate, its security group, its log group and its database. */
export class AppService extends Construct {
  readonly deployable: Deployable;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;
  readonly container: ecs.ContainerDefinition;
  readonly database?: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const { deployable: d, config, vpc, identity } = props;
    this.deployable = d;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `${d.name} tasks: only its callers and its load balancer may connect`,
      allowAllOutbound: true,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/helpline/${d.name}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const secrets: Record<string, ecs.Secret> = {};
    const environment: Record<string, string> = { NODE_ENV: 'production', ...props.environment };

    if (d.database) {
      const dbSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
        vpc,
        description: `${d.name} database: reachable from ${d.name} tasks only`,
        allowAllOutbound: false,
      });
      dbSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(5432), `${d.name} tasks`);
      const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
      this.database = new rds.DatabaseInstance(this, 'Database', {
        engine,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [dbSecurityGroup],
        // The login role and database the service has locally (launcher: DATABASE_URL).
        credentials: rds.Credentials.fromGeneratedSecret(d.database.role, {
          secretName: `helpline/${d.name}/database`,
        }),
        databaseName: d.database.name,
        port: 5432,
        multiAz: config.multiAz,
        storageEncrypted: true,
        storageType: rds.StorageType.GP3,
        allocatedStorage: 20,
        maxAllocatedStorage: 100,
        backupRetention: Duration.days(7),
        deletionProtection: config.deletionProtection,
        removalPolicy: config.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
        autoMinorVersionUpgrade: true,
        cloudwatchLogsExports: ['postgresql'],
        cloudwatchLogsRetention: props.logRetention,
        parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
          engine,
          description: `${d.name}: TLS only, slow statements logged`,
          parameters: { 'rds.force_ssl': '1', log_min_duration_statement: '1000' },
        }),
      });
      Validations.of(this.database).acknowledge({
        id: 'AwsSolutions-RDS11',
        reason:
          'The port is no secret worth keeping: the instance is in isolated subnets and its security group admits ' +
          `${d.name}'s tasks alone.`,
      });
      if (!config.multiAz) {
        Validations.of(this.database).acknowledge({
          id: 'AwsSolutions-RDS3',
          reason:
            'Single-AZ was asked for explicitly (context helpline:multiAz=false), for a non-production stack.',
        });
      }
      if (!config.deletionProtection) {
        Validations.of(this.database).acknowledge({
          id: 'AwsSolutions-RDS10',
          reason:
            'Deletion protection was turned off explicitly (context helpline:deletionProtection=false).',
        });
      }
      const secret = this.database.secret!;
      Validations.of(this.database).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Tasks read the password once at start, so a rotation would break running tasks until they restart; ' +
          'rotation comes with a restart of the service on RotationSucceeded (README: Deploying to AWS).',
      });
      for (const [variable, field] of Object.entries(DATABASE_SECRET_FIELDS)) {
        secrets[variable] = ecs.Secret.fromSecretsManager(secret, field);
      }
      // TLS to RDS (rds.force_ssl=1). The RDS CA bundle is not in the image, so the certificate is
      // not verified: add it and set verify-full with DATABASE_SSLROOTCERT to verify.
      environment.DATABASE_SSLMODE = 'no-verify';
    }

    const machineSecret = identity.machineSecrets.get(d.name);
    const machineClient = props.pool.clients.find((c) => c.clientId === d.name);
    const valueOf = (name: string): string | undefined => {
      if (name in d.upstreams) {
        const target = d.upstreams[name]!;
        const port = props.ports.get(target);
        if (port === undefined) throw new Error(`${d.name}: ${name} names ${target}, which is not deployed`);
        return serviceUrl({ name: target, port });
      }
      switch (name) {
        case 'PORT':
          return String(d.port);
        case 'SERVICE_NAME':
          return d.name;
        case 'JWT_JWKS_URI':
          return identity.jwksUri;
        case 'JWT_ISSUER':
          return identity.issuer;
        case 'JWT_AUDIENCE':
          return Fn.join(',', identity.clientIds());
        case 'JWT_ROLES_CLAIM':
          return 'cognito:groups';
        case 'JWT_SCOPES_CLAIM':
          return 'scope';
        case 'JWT_ALGORITHMS':
          return 'RS256';
        case 'COGNITO_TOKEN_URL':
          return identity.tokenUrl;
        case 'SERVICE_SCOPE':
          return (machineClient?.allowedOAuthScopes ?? []).join(' ');
        default:
          return undefined;
      }
    };
    for (const name of d.envNames) {
      if (LOCAL_ONLY_VARIABLES.has(name)) continue;
      if (name === 'DATABASE_URL') {
        if (!this.database) throw new Error(`${d.name} has a DATABASE_URL but no database`);
        continue;
      }
      if (name === 'REDIS_URL') {
        if (!props.counters) throw new Error(`${d.name} has a REDIS_URL but no Redis was given it`);
        continue; // below
      }
      if (name === 'SERVICE_CLIENT_ID' || name === 'SERVICE_CLIENT_SECRET') {
        if (!machineSecret)
          throw new Error(`${d.name} needs ${name}, and pool.json has no machine client ${d.name}`);
        secrets[name] = ecs.Secret.fromSecretsManager(
          machineSecret,
          name === 'SERVICE_CLIENT_ID' ? 'clientId' : 'clientSecret',
        );
        continue;
      }
      const value = valueOf(name);
      if (value === undefined) {
        throw new Error(
          `the launcher sets ${name} for ${d.name}; infra/cdk/src/services.ts does not know its value on AWS`,
        );
      }
      environment[name] = value;
    }

    if (props.counters) {
      // The launcher passes REDIS_URL on only when it is set; on AWS the gateway always has its
      // Redis. The image's entrypoint (infra/docker/start.mjs) joins these into rediss://:token@host:port.
      environment.REDIS_HOST = props.counters.host;
      environment.REDIS_PORT = String(props.counters.port);
      environment.REDIS_TLS = 'true';
      secrets.REDIS_PASSWORD = ecs.Secret.fromSecretsManager(props.counters.secret);
    }

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
      },
    });
    this.container = taskDefinition.addContainer('app', {
      containerName: d.name,
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: `apps/${d.name}/Dockerfile`,
        platform: Platform.LINUX_AMD64,
      }),
      environment,
      secrets,
      portMappings: [{ containerPort: d.port, name: d.name }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: d.name, logGroup: this.logGroup }),
      healthCheck: {
        command: ['CMD', 'node', '/app/healthcheck.mjs'],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      // tini as PID 1 forwards SIGTERM to node, which drains within SHUTDOWN_TIMEOUT_MS (25 s) of ECS's 30 s.
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      stopTimeout: Duration.seconds(30),
    });
    Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "The task execution role's ecr:GetAuthorizationToken has no resource-level permissions (AWS documents " +
        'Resource "*" for it); image pulls, log writes and secret reads are scoped to their resources.',
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds settings only (ports, Cloud Map URLs, the issuer, claim names); every credential ' +
        '(database, client secret, Redis AUTH token) comes through `secrets` from Secrets Manager, which a test ' +
        'checks.',
    });

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: d.name,
      cluster: props.cluster,
      taskDefinition,
      desiredCount: config.desiredCount,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      cloudMapOptions: {
        name: d.name,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        container: this.container,
        containerPort: d.port,
      },
    });
  }

  /** Lets `peer` call this service on its port. */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(this.deployable.port), description);
  }
}
