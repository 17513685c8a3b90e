/** One process of the system, as `system.ts` declares it. The engine knows nothing else about it. */
export interface Part {
  /** Unique; used in log prefixes, `dependsOn` and `HELPLINE_ONLY`. */
  name: string;
  /** argv; `node` means the Node binary running the launcher. Relative paths are from the repository root. */
  command: string[];
  /** The port the part listens on; checked free on 127.0.0.1 before anything starts. */
  port: number;
  /** Set for this part only, over the launcher's own environment. */
  env: Record<string, string>;
  /**
   * How the launcher knows the part is ready (dependents start only then): an HTTP 200 from
   * `readyUrl`, or — for a Node part that is no HTTP server (a database) — the message `'ready'`
   * sent over the IPC channel (`process.send('ready')`). Exactly one of the two.
   */
  readyUrl?: string;
  readyOnMessage?: boolean;
  /** Names of parts that must be ready before this one starts. */
  dependsOn: string[];
  /** Printed in the banner once every part is ready, label → URL. */
  urls?: Record<string, string>;
  /** How long to wait for readiness; default 60 s. */
  readyTimeoutMs?: number;
  /**
   * For a Node part: V8's young generation cap, MB a semispace (`--max-semi-space-size`). Default
   * 2, which keeps an idle process small; a part on a hot path trades memory for less garbage
   * collection under load. A NODE_OPTIONS that sets it wins either way.
   */
  semiSpaceMb?: number;
}

/** The whole system: its parts and what to tell the person who started it. */
export interface SystemDeclaration {
  parts: Part[];
  /**
   * Launcher variables the children must not inherit, because each part gets its own value
   * (one `DATABASE_URL` inherited by every service would make them share a database).
   */
  notInherited?: string[];
  /** Lines printed after the URLs once everything is ready (demo credentials, a first curl...). */
  notes?: string[];
  /** Things worth saying before anything starts (leftovers of an older version...), one line each. */
  warnings?: string[];
}

export type LauncherErrorCode =
  | 'INVALID_PART'
  | 'DUPLICATE_PART'
  | 'UNKNOWN_DEPENDENCY'
  | 'DEPENDENCY_CYCLE'
  | 'UNKNOWN_PART_SELECTED'
  | 'ENTRY_NOT_FOUND'
  | 'PORT_IN_USE'
  | 'PART_EXITED'
  | 'READY_TIMEOUT'
  | 'STOPPED';

/** Every failure the launcher reports, with a stable code that tests assert on. */
export class LauncherError extends Error {
  constructor(
    readonly code: LauncherErrorCode,
    message: string,
    /** The part concerned, when there is one. */
    readonly part?: string,
  ) {
    super(message);
    this.name = 'LauncherError';
  }
}
