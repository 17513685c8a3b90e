/**
 * A failure the domain names — "no such user", "email taken" — with a stable code and a sentence
 * for people, and nothing of HTTP: repositories and services throw these. Which status a code
 * becomes is decided in one place per service, its error catalog.
 */
export class DomainError<C extends string = string> extends Error {
  readonly extra: Record<string, unknown>;

  constructor(
    readonly code: C,
    detail: string,
    options: { cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.extra = options.extra ?? {};
  }
}

/** The statuses a domain failure can become: the caller's mistake, or a conflict with the state. */
export type DomainErrorStatus = 400 | 403 | 404 | 409 | 410 | 412 | 422 | 423;

/** A service's error codes, each with the HTTP status it becomes. */
export type ErrorCatalog = Readonly<Record<string, DomainErrorStatus>>;

/**
 * Declares a service's error codes once: `defineErrors({ USER_NOT_FOUND: 404, EMAIL_TAKEN: 409 })`.
 * Pass the catalog to `ServiceDefaultsModule.forRoot({ errors })`, and type call sites with
 * `DomainError<ErrorCodeOf<typeof CATALOG>>` so that a code outside it does not compile.
 */
export function defineErrors<const T extends Record<string, DomainErrorStatus>>(catalog: T): Readonly<T> {
  return Object.freeze({ ...catalog });
}

export type ErrorCodeOf<T extends ErrorCatalog> = keyof T & string;
