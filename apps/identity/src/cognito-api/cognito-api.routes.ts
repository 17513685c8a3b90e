import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IdentityContext } from '../context.js';
import { CognitoError, isCognitoError } from '../errors/cognito-error.js';
import { ChallengeSessions } from './challenge-sessions.js';
import { adminOperations } from './operations/admin.js';
import { authenticationOperations } from './operations/authentication.js';
import type { Operation } from './operations/operation.js';
import { poolOperations } from './operations/pool.js';
import { selfServiceOperations } from './operations/self-service.js';
import { signUpOperations } from './operations/sign-up.js';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
export const AMZ_JSON = 'application/x-amz-json-1.1';

/**
 * The Cognito JSON API (`POST /`, `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`), as
 * @aws-sdk/client-cognito-identity-provider speaks it. Registered in its own encapsulated context: every
 * body is taken as text here, so a malformed one gets Cognito's SerializationException, not Fastify's error.
 */
export async function cognitoApiRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  const operations: Record<string, Operation> = {
    ...authenticationOperations(new ChallengeSessions(context.clock)),
    ...signUpOperations,
    ...selfServiceOperations,
    ...adminOperations,
    ...poolOperations,
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    if (isCognitoError(error)) return sendError(reply, error);
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return sendError(reply, new CognitoError('SerializationException', (error as Error).message));
    }
    request.log.error({ err: error }, 'Cognito API operation failed');
    return sendError(reply, new CognitoError('InternalErrorException', 'An internal error occurred.', 500));
  });

  app.post('/', async (request, reply) => {
    const target = request.headers['x-amz-target'];
    const name =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : undefined;
    const operation = name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!operation) {
      throw new CognitoError(
        'UnknownOperationException',
        target
          ? `Unknown operation ${String(target)}`
          : 'Missing the X-Amz-Target header naming the operation',
      );
    }
    const input = parseBody(request.body);
    request.log.debug({ operation: name }, 'Cognito API call');
    const output = await operation(input, context);
    return reply
      .code(200)
      .header('content-type', AMZ_JSON)
      .header('x-amzn-requestid', randomUUID())
      .send(json(output));
  });
}

function parseBody(body: unknown): unknown {
  // The SDK always sends at least `{}`; an absent body reads as the same.
  if (body === undefined || body === null || body === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(String(body));
  } catch {
    throw new CognitoError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CognitoError('SerializationException', 'The request body must be a JSON object.');
  }
  return value;
}

/** Cognito's error answer: the name in `__type` and in `x-amzn-errortype` (the SDK reads either). */
function sendError(reply: FastifyReply, error: CognitoError): FastifyReply {
  return reply
    .code(error.statusCode)
    .header('content-type', AMZ_JSON)
    .header('x-amzn-errortype', error.type)
    .header('x-amzn-requestid', randomUUID())
    .send(json({ __type: error.type, message: error.message }));
}

/** As a Buffer, so that Fastify leaves the content type exactly as Cognito's (no `; charset=utf-8`). */
const json = (value: object): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
