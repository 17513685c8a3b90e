/**
 * Configuration that cannot be used: every problem found, one sentence each, not just the first.
 * `source` says whose configuration it is (a service's name, `JWT auth options`...).
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
