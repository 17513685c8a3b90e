import type { IdentityContext } from '../../context.js';

/** One `AWSCognitoIdentityProviderService.<Op>`: the parsed JSON body in, the JSON answer out. */
export type Operation = (input: unknown, context: IdentityContext) => Promise<object>;
