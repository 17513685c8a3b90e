import { defineErrors, DomainError, type ErrorCodeOf } from '@helpline/common';

/** user-service's error codes and the HTTP status of each: the one place they meet. */
export const USER_ERRORS = defineErrors({
  USER_NOT_FOUND: 404,
  USER_ACCESS_DENIED: 403,
  USER_DISABLED: 403,
  EMAIL_TAKEN: 409,
});

export type UserErrorCode = ErrorCodeOf<typeof USER_ERRORS>;

const fail = (code: UserErrorCode, detail: string) => new DomainError(code, detail);

export const userNotFound = (id: string) => fail('USER_NOT_FOUND', `No user with id or sub ${id}`);

export const noLinkedUser = () =>
  fail('USER_NOT_FOUND', 'No user is linked to this identity yet (it is created on sign-up confirmation)');

export const emailTaken = (email: string) =>
  fail('EMAIL_TAKEN', `The email ${email} belongs to another user`);

export const accessDenied = (detail: string) => fail('USER_ACCESS_DENIED', detail);

export const userDisabled = () =>
  fail('USER_DISABLED', 'This user is disabled; an admin can enable it again');
