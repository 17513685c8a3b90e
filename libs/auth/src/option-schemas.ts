import * as z from 'zod';

/** The options' own values (numbers, not the text of a variable): a whole number ≥ `min`. */
export function count(min: number) {
  const message = `must be a whole number ≥ ${min}`;
  // `refine`, not `.int()`: an aborting check would keep the rules across keys from running
  // (see withRules); for the same reason `z.custom` is given `abort: false` in these options.
  return z.number({ error: message }).refine((value) => Number.isSafeInteger(value) && value >= min, message);
}

/** A duration in milliseconds, ≥ 0, when given. */
export function optionalMilliseconds() {
  const message = 'must be a whole number of milliseconds ≥ 0';
  return z
    .number({ error: message })
    .refine((value) => Number.isSafeInteger(value) && value >= 0, message)
    .optional();
}

/** A clock: epoch milliseconds, as `Date.now`. */
export function clock() {
  return z.custom<() => number>((value) => typeof value === 'function', {
    error: 'must be a function returning epoch milliseconds',
    abort: false,
  });
}
