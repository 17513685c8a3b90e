import { ConflictError, ForbiddenError, NotFoundError } from '@helpline/common';

export const userNotFound = (id: string) =>
  new NotFoundError('USER_NOT_FOUND', `No user with id or sub ${id}`);

export const noLinkedUser = () =>
  new NotFoundError(
    'USER_NOT_FOUND',
    'No user is linked to this identity yet (it is created on sign-up confirmation)',
  );

export const emailTaken = (email: string) =>
  new ConflictError('EMAIL_TAKEN', `The email ${email} belongs to another user`);

export const accessDenied = (detail: string) => new ForbiddenError('USER_ACCESS_DENIED', detail);

export const userDisabled = () =>
  new ForbiddenError('USER_DISABLED', 'This user is disabled; an admin can enable it again');
