import { z } from 'zod';

/**
 * The checked-in pool (infra/cognito/pool.json): app clients, resource servers, groups and demo users.
 * infra/ creates the real pool from the same file, so its names follow Cognito's CreateUserPool and
 * CreateUserPoolClient (camel-cased); `clientId`, `clientSecret` and the demo users are local-only,
 * because Cognito generates client ids and secrets itself.
 */

export const OIDC_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'] as const;

const explicitAuthFlow = z.enum([
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_AUTH',
]);

const clientSchema = z.object({
  clientId: z.string().regex(/^[\w+-]{1,128}$/, 'a client id is 1-128 letters, digits, _, + or -'),
  clientName: z.string().default(''),
  clientSecret: z.string().min(1).optional(),
  explicitAuthFlows: z.array(explicitAuthFlow).default([]),
  allowedOAuthFlows: z.array(z.enum(['code', 'implicit', 'client_credentials'])).default([]),
  allowedOAuthScopes: z.array(z.string().min(1)).default([]),
  callbackUrls: z.array(z.url()).default([]),
  logoutUrls: z.array(z.url()).default([]),
});

const demoUserSchema = z.object({
  sub: z.uuid(),
  email: z.email(),
  name: z.string().optional(),
  password: z.string().min(1),
  groups: z.array(z.string()).default([]),
});

export const poolDefinitionSchema = z
  .object({
    userPoolId: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d_[a-zA-Z0-9]+$/, 'expected <region>_<id>'),
    region: z.string().min(1),
    poolName: z.string().min(1),
    usernameAttributes: z.array(z.literal('email')).default([]),
    autoVerifiedAttributes: z.array(z.literal('email')).default([]),
    requiredAttributes: z.array(z.string()).default([]),
    customAttributes: z.array(z.string().regex(/^[\w-]{1,20}$/)).default([]),
    passwordPolicy: z.object({
      minimumLength: z.number().int().min(6).max(99),
      requireUppercase: z.boolean(),
      requireLowercase: z.boolean(),
      requireNumbers: z.boolean(),
      requireSymbols: z.boolean(),
      temporaryPasswordValidityDays: z.number().int().min(0).max(365),
    }),
    triggers: z
      .object({
        // Each names the @helpline/cognito-triggers export deployed for it; absent = trigger off.
        preSignUp: z.literal('preSignUp').optional(),
        postConfirmation: z.literal('postConfirmation').optional(),
        preTokenGeneration: z.literal('preTokenGeneration').optional(),
        preTokenGenerationVersion: z.enum(['V2_0', 'V3_0']).default('V2_0'),
      })
      .default({ preTokenGenerationVersion: 'V2_0' }),
    groups: z.array(
      z.object({
        name: z.string().min(1),
        description: z.string().default(''),
        precedence: z.number().int().min(0),
      }),
    ),
    resourceServers: z.array(
      z.object({
        identifier: z.string().min(1),
        name: z.string().min(1),
        scopes: z.array(z.object({ name: z.string().min(1), description: z.string().default('') })),
      }),
    ),
    clients: z.array(clientSchema),
    demoUsers: z.array(demoUserSchema).default([]),
  })
  .superRefine((pool, ctx) => {
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const known = new Set<string>(OIDC_SCOPES);
    for (const server of pool.resourceServers) {
      for (const scope of server.scopes) known.add(`${server.identifier}/${scope.name}`);
    }
    const clientIds = new Set<string>();
    pool.clients.forEach((client, i) => {
      if (clientIds.has(client.clientId))
        problem(['clients', i, 'clientId'], `${client.clientId} is declared twice`);
      clientIds.add(client.clientId);
      client.allowedOAuthScopes.forEach((scope, j) => {
        if (!known.has(scope)) problem(['clients', i, 'allowedOAuthScopes', j], `unknown scope ${scope}`);
      });
      if (client.allowedOAuthFlows.includes('client_credentials')) {
        if (!client.clientSecret) problem(['clients', i], 'a client_credentials client needs a clientSecret');
        if (client.allowedOAuthScopes.some((s) => !s.includes('/'))) {
          problem(
            ['clients', i, 'allowedOAuthScopes'],
            'client_credentials allows resource-server scopes only',
          );
        }
      }
      if (client.allowedOAuthFlows.includes('code') && client.callbackUrls.length === 0) {
        problem(['clients', i, 'callbackUrls'], 'the code flow needs at least one callback URL');
      }
    });
    const groups = new Set(pool.groups.map((g) => g.name));
    pool.demoUsers.forEach((user, i) => {
      user.groups.forEach((group, j) => {
        if (!groups.has(group)) problem(['demoUsers', i, 'groups', j], `unknown group ${group}`);
      });
    });
  });

export type PoolDefinition = z.infer<typeof poolDefinitionSchema>;
export type PoolDefinitionInput = z.input<typeof poolDefinitionSchema>;
export type AppClient = z.infer<typeof clientSchema>;
export type DemoUser = z.infer<typeof demoUserSchema>;
export type PasswordPolicy = PoolDefinition['passwordPolicy'];
