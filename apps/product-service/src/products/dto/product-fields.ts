/** Transforms shared by the product DTOs: they run before validation, and leave non-strings alone. */

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * Trimmed, with ASCII letters upper-cased (only those: `toUpperCase` would turn `ﬀ` into a valid
 * `FF`). For skus and currency codes, which are stored upper-case.
 */
export const upperAscii = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().replace(/[a-z]+/g, (s) => s.toUpperCase()) : value;

/** Letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]*$/;
export const SKU_MAX_LENGTH = 64;
export const NAME_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;
