import { createParamDecorator, CustomDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY, ROLES_KEY, SCOPES_KEY } from './auth.constants.js';
import { getPrincipal } from './principal.js';

/** The route (or every route of the controller) needs no token. */
export const Public = (): CustomDecorator<string> => SetMetadata(IS_PUBLIC_KEY, true);

function nonEmpty(decorator: string, values: string[]): string[] {
  // An empty list would silently mean "no requirement": fail when the class is loaded instead.
  if (values.length === 0 || values.some((value) => typeof value !== 'string' || value.length === 0)) {
    throw new TypeError(`@${decorator}() needs at least one non-empty name`);
  }
  return values;
}

/**
 * The caller needs any one of these roles (from the roles claim, `cognito:groups`). On the
 * handler it replaces the controller's list. Combined with @Scopes, any listed role OR any listed scope admits.
 */
export const Roles = (...roles: string[]): CustomDecorator<string> =>
  SetMetadata(ROLES_KEY, nonEmpty('Roles', roles));

/** The caller needs any one of these scopes (from the space-separated scope claim); see @Roles. */
export const Scopes = (...scopes: string[]): CustomDecorator<string> =>
  SetMetadata(SCOPES_KEY, nonEmpty('Scopes', scopes));

const currentUser = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  getPrincipal(context.switchToHttp().getRequest()),
);

/** Injects the verified Principal (undefined on a @Public route). */
export const CurrentUser = (): ParameterDecorator => currentUser();
