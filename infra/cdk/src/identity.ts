/**
 * The Cognito user pool, built from infra/cognito/pool.json — the file identity serves locally —
 * so the local pool and the real one cannot drift: groups, the resource server and its scopes,
 * every app client with its flows and scopes, the hosted domain, the Lambda triggers of
 * infra/triggers, and (behind a flag) the Identity Pool with a role per group.
 */
import { join } from 'node:path';
import { ArnFormat, Aws, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  IdentityPool,
  IdentityPoolProviderUrl,
  UserPoolAuthenticationProvider,
} from 'aws-cdk-lib/aws-cognito-identitypool';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PROVISIONER_CLIENT_ID } from '@helpline/cognito-pool';
import { Construct } from 'constructs';
import type { HelplineConfig } from './config.js';
import { isMachineClient, type PoolClient, type PoolDefinition } from './definitions.js';
import { REPO_ROOT } from './system.js';

/** Where a machine client's id and secret live in Secrets Manager. */
export const machineSecretName = (clientId: string): string => `helpline/m2m/${clientId}`;

const AUTH_FLOWS: Record<string, keyof cognito.AuthFlow> = {
  ALLOW_USER_SRP_AUTH: 'userSrp',
  ALLOW_USER_PASSWORD_AUTH: 'userPassword',
  ALLOW_ADMIN_USER_PASSWORD_AUTH: 'adminUserPassword',
  ALLOW_CUSTOM_AUTH: 'custom',
  ALLOW_USER_AUTH: 'user',
};

const OIDC_SCOPES: Record<string, cognito.OAuthScope> = {
  openid: cognito.OAuthScope.OPENID,
  email: cognito.OAuthScope.EMAIL,
  phone: cognito.OAuthScope.PHONE,
  profile: cognito.OAuthScope.PROFILE,
  'aws.cognito.signin.user.admin': cognito.OAuthScope.COGNITO_ADMIN,
};

/** `given_name` → `givenName`: pool.json's attribute names as CDK's StandardAttributes keys. */
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export interface IdentityProps {
  pool: PoolDefinition;
  config: HelplineConfig;
  /** Where Post confirmation's function runs (it calls user-service over Cloud Map). */
  vpc: ec2.IVpc;
  /** user-service's address inside the VPC, for Post confirmation. */
  userServiceUrl: string;
  logRetention: logs.RetentionDays;
}

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly clients = new Map<string, cognito.UserPoolClient>();
  /** Machine clients' credentials, `{clientId, clientSecret}` JSON, by pool.json's clientId. */
  readonly machineSecrets = new Map<string, secretsmanager.Secret>();
  readonly domain: cognito.UserPoolDomain;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenUrl: string;
  /** Post confirmation's function: its security group is let into user-service. */
  readonly postConfirmation?: nodejs.NodejsFunction;
  readonly identityPool?: IdentityPool;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { pool, config } = props;
    const plus = config.advancedSecurity !== 'off';

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: pool.poolName,
      signInAliases: { email: (pool.usernameAttributes ?? []).includes('email') },
      autoVerify: { email: (pool.autoVerifiedAttributes ?? []).includes('email') },
      standardAttributes: Object.fromEntries(
        (pool.requiredAttributes ?? []).map((name) => [camel(name), { required: true, mutable: true }]),
      ),
      customAttributes: Object.fromEntries(
        (pool.customAttributes ?? []).map((name) => [name, new cognito.StringAttribute({ mutable: true })]),
      ),
      passwordPolicy: {
        minLength: pool.passwordPolicy.minimumLength,
        requireUppercase: pool.passwordPolicy.requireUppercase,
        requireLowercase: pool.passwordPolicy.requireLowercase,
        requireDigits: pool.passwordPolicy.requireNumbers,
        requireSymbols: pool.passwordPolicy.requireSymbols,
        tempPasswordValidity: Duration.days(pool.passwordPolicy.temporaryPasswordValidityDays),
      },
      selfSignUpEnabled: true,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Pre token generation V2/V3 (pool.json's version) needs at least Essentials; threat
      // protection needs Plus.
      featurePlan: plus ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(plus
        ? {
            standardThreatProtectionMode:
              config.advancedSecurity === 'enforced'
                ? cognito.StandardThreatProtectionMode.FULL_FUNCTION
                : cognito.StandardThreatProtectionMode.AUDIT_ONLY,
          }
        : {}),
      deletionProtection: config.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!plus) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection (the Plus plan, billed per active user) is the context flag helpline:advancedSecurity ' +
          '(audit | enforced); the default Essentials plan is what pre token generation V2/V3 needs.',
      });
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is offered (TOTP) but not required: pool.json signs people in with a password or the hosted page ' +
        '+ PKCE, and requiring a second factor is a product decision the pool definition does not make.',
    });

    // The hosted domain: <prefix>.auth.<region>.amazoncognito.com. Its token URL is built from the
    // prefix, not the domain resource, so that the triggers' function (which the pool depends on)
    // can be told it without a dependency cycle.
    const domainPrefix = config.cognitoDomainPrefix ?? `helpline-${Aws.ACCOUNT_ID}`;
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    this.tokenUrl = `https://${domainPrefix}.auth.${Aws.REGION}.amazoncognito.com/oauth2/token`;
    this.issuer = `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;
    this.jwksUri = `${this.issuer}/.well-known/jwks.json`;

    const groups = pool.groups.map(
      (group) =>
        new cognito.CfnUserPoolGroup(this, `Group-${group.name}`, {
          userPoolId: this.userPool.userPoolId,
          groupName: group.name,
          description: group.description ?? '',
          precedence: group.precedence,
        }),
    );

    const scopes = new Map<string, cognito.OAuthScope>();
    for (const server of pool.resourceServers) {
      const resourceScopes = server.scopes.map(
        (scope) =>
          new cognito.ResourceServerScope({
            scopeName: scope.name,
            scopeDescription: scope.description ?? scope.name,
          }),
      );
      const resourceServer = this.userPool.addResourceServer(`ResourceServer-${server.identifier}`, {
        identifier: server.identifier,
        userPoolResourceServerName: server.name,
        scopes: resourceScopes,
      });
      for (const scope of resourceScopes) {
        scopes.set(
          `${server.identifier}/${scope.scopeName}`,
          cognito.OAuthScope.resourceServer(resourceServer, scope),
        );
      }
    }

    for (const client of pool.clients) {
      this.clients.set(client.clientId, this.addClient(client, scopes, config));
    }

    // One secret per machine client (seed §11.1): tasks and functions read them from Secrets Manager.
    for (const client of pool.clients.filter((c) => isMachineClient(c) && c.clientSecret)) {
      const appClient = this.clients.get(client.clientId)!;
      const secret = new secretsmanager.Secret(this, `MachineSecret-${client.clientId}`, {
        secretName: machineSecretName(client.clientId),
        description: `Client-credentials id and secret of ${client.clientId} (Cognito app client)`,
        secretObjectValue: {
          clientId: SecretValue.unsafePlainText(appClient.userPoolClientId),
          clientSecret: appClient.userPoolClientSecret,
        },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The value is the Cognito app client secret, which Cognito generates and Secrets Manager cannot rotate by ' +
          'itself; rotating it means a new client secret, which a deployment does (replace the client).',
      });
      this.machineSecrets.set(client.clientId, secret);
    }

    const functions = this.addTriggers(props);
    this.postConfirmation = functions.postConfirmation;

    if (config.identityPool) {
      const spa = pool.clients.find((c) => (c.allowedOAuthFlows ?? []).includes('code'));
      const spaClient = spa && this.clients.get(spa.clientId);
      if (!spaClient) throw new Error('the Identity Pool needs a code-flow client in pool.json');
      const identityPool = new IdentityPool(this, 'IdentityPool', {
        identityPoolName: `${pool.poolName}-identities`,
        allowUnauthenticatedIdentities: false,
        authenticationProviders: {
          userPools: [
            new UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: spaClient }),
          ],
        },
        // The role of the user's group with the best precedence (cognito:preferred_role).
        roleMappings: [
          {
            mappingKey: 'cognito',
            providerUrl: IdentityPoolProviderUrl.userPool(this.userPool, spaClient),
            useToken: true,
            resolveAmbiguousRoles: false,
          },
        ],
      });
      for (const [index, group] of pool.groups.entries()) {
        const role = new iam.Role(this, `GroupRole-${group.name}`, {
          description: `Assumed through the Identity Pool by members of the ${group.name} group`,
          assumedBy: new iam.FederatedPrincipal(
            'cognito-identity.amazonaws.com',
            {
              StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPool.identityPoolId },
              'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
            },
            'sts:AssumeRoleWithWebIdentity',
          ),
        });
        groups[index]!.roleArn = role.roleArn;
      }
      this.identityPool = identityPool;
    }
  }

  /** Every app client's id: what the services accept tokens from (JWT_AUDIENCE). */
  clientIds(): string[] {
    return [...this.clients.values()].map((client) => client.userPoolClientId);
  }

  private addClient(
    client: PoolClient,
    scopes: Map<string, cognito.OAuthScope>,
    config: HelplineConfig,
  ): cognito.UserPoolClient {
    const flows = client.allowedOAuthFlows ?? [];
    const code = flows.includes('code');
    const oAuthScopes = (client.allowedOAuthScopes ?? []).map((name) => {
      const scope = OIDC_SCOPES[name] ?? scopes.get(name);
      if (!scope) throw new Error(`pool.json: client ${client.clientId} has unknown scope ${name}`);
      return scope;
    });
    const authFlows: cognito.AuthFlow = Object.fromEntries(
      (client.explicitAuthFlows ?? []).flatMap((flow) =>
        AUTH_FLOWS[flow] ? [[AUTH_FLOWS[flow], true]] : [],
      ),
    );
    const appClient = this.userPool.addClient(`Client-${client.clientId}`, {
      userPoolClientName: client.clientId,
      generateSecret: Boolean(client.clientSecret),
      authFlows,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      ...(flows.length === 0
        ? { disableOAuth: true }
        : {
            oAuth: {
              flows: {
                authorizationCodeGrant: code,
                implicitCodeGrant: flows.includes('implicit'),
                clientCredentials: flows.includes('client_credentials'),
              },
              scopes: oAuthScopes,
              ...(code
                ? {
                    callbackUrls: config.spaCallbackUrls ?? client.callbackUrls ?? [],
                    logoutUrls: config.spaLogoutUrls ?? client.logoutUrls ?? [],
                  }
                : {}),
            },
          }),
    });
    // Exactly pool.json's flows: CDK adds ALLOW_REFRESH_TOKEN_AUTH by itself, and Cognito's default
    // for an unset list (SRP and custom auth) would give machine clients flows pool.json denies.
    const cfn = appClient.node.defaultChild as cognito.CfnUserPoolClient;
    cfn.explicitAuthFlows = [...(client.explicitAuthFlows ?? [])];
    return appClient;
  }

  private addTriggers(props: IdentityProps): { postConfirmation?: nodejs.NodejsFunction } {
    const { pool } = props;
    const triggers = pool.triggers ?? {};
    // The client the triggers take their service token with (the same one identity gives them locally).
    const provisioner = pool.clients.find((c) => isMachineClient(c) && c.clientId === PROVISIONER_CLIENT_ID);
    const make = (name: string, extra: Partial<nodejs.NodejsFunctionProps> = {}) => {
      const fn = new nodejs.NodejsFunction(this, `Trigger-${name}`, {
        description: `Cognito ${name} trigger (@helpline/cognito-triggers)`,
        entry: join(REPO_ROOT, 'infra/cdk/lambda/cognito-triggers.ts'),
        handler: name,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        // Cognito waits 5 s for a trigger.
        timeout: Duration.seconds(5),
        projectRoot: REPO_ROOT,
        depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
        logGroup: new logs.LogGroup(this, `TriggerLogs-${name}`, {
          retention: props.logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        bundling: {
          format: nodejs.OutputFormat.ESM,
          target: 'node22',
          minify: true,
          sourceMap: true,
          mainFields: ['module', 'main'],
          // The workspace packages from source, as the tests use them: no build needed to synthesize.
          tsconfig: join(REPO_ROOT, 'infra/cdk/tsconfig.json'),
          // Nest's CommonJS dependencies (reached through @helpline/auth) call require().
          banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
          // Optional peers Nest loads only when installed; none is.
          externalModules: [
            '@aws-sdk/*',
            '@nestjs/microservices',
            '@nestjs/websockets',
            '@nestjs/platform-express',
            'class-transformer/storage',
          ],
        },
        ...extra,
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The AWS-managed basic execution role only lets the function write its own log group.',
      });
      if (extra.vpc) {
        Validations.of(fn).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
          reason:
            'The AWS-managed VPC access policy lets the function manage its network interfaces, which it needs ' +
            'to call user-service inside the VPC; it grants nothing else.',
        });
      }
      return fn;
    };

    const out: { postConfirmation?: nodejs.NodejsFunction } = {};
    if (triggers.preSignUp) {
      this.userPool.addTrigger(cognito.UserPoolOperation.PRE_SIGN_UP, make(triggers.preSignUp));
    }
    if (triggers.preTokenGeneration) {
      const version =
        triggers.preTokenGenerationVersion === 'V3_0'
          ? cognito.LambdaVersion.V3_0
          : cognito.LambdaVersion.V2_0;
      this.userPool.addTrigger(
        cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
        make(triggers.preTokenGeneration),
        version,
      );
    }
    if (triggers.postConfirmation) {
      if (!provisioner)
        throw new Error(`pool.json: Post confirmation needs the ${PROVISIONER_CLIENT_ID} client`);
      const secretName = machineSecretName(provisioner.clientId);
      const fn = make(triggers.postConfirmation, {
        // It calls user-service inside the VPC and Cognito's token endpoint through the NAT.
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        allowPublicSubnet: false,
        environment: {
          USER_SERVICE_URL: props.userServiceUrl,
          COGNITO_TOKEN_URL: this.tokenUrl,
          SERVICE_SCOPE: (provisioner.allowedOAuthScopes ?? []).join(' '),
          // The client id and secret are read from Secrets Manager at the first invocation (by
          // name: the pool depends on this function, so it cannot reference the client).
          SERVICE_CLIENT_SECRET_ID: secretName,
        },
        paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
          lambda.ParamsAndSecretsVersions.V1_0_103,
          { cacheEnabled: true },
        ),
      });
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [
            Stack.of(this).formatArn({
              service: 'secretsmanager',
              resource: 'secret',
              resourceName: `${secretName}-??????`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      );
      this.userPool.addTrigger(cognito.UserPoolOperation.POST_CONFIRMATION, fn);
      out.postConfirmation = fn;
    }
    return out;
  }
}
