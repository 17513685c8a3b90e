import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { LauncherError, type Part } from './part.js';

/** Checks a declaration once, before anything starts, and names every problem it finds. */
export function validateParts(parts: readonly Part[]): void {
  const problems: string[] = [];
  const names = new Set<string>();
  const ports = new Map<number, string>();
  for (const part of parts) {
    if (!part.name || !/^[a-z0-9][a-z0-9-]*$/.test(part.name)) {
      problems.push(`part name ${JSON.stringify(part.name)} must be kebab-case (a-z, 0-9, -)`);
    }
    if (names.has(part.name)) {
      throw new LauncherError('DUPLICATE_PART', `part "${part.name}" is declared twice`, part.name);
    }
    names.add(part.name);
    if (!Array.isArray(part.command) || part.command.length === 0) {
      problems.push(`${part.name}: command must be a non-empty argv array`);
    }
    if (!Number.isInteger(part.port) || part.port < 1 || part.port > 65535) {
      problems.push(`${part.name}: port ${part.port} is not a TCP port`);
    } else if (ports.has(part.port)) {
      problems.push(`${part.name}: port ${part.port} is already declared by ${ports.get(part.port)}`);
    } else {
      ports.set(part.port, part.name);
    }
    if (part.readyOnMessage && part.readyUrl !== undefined) {
      problems.push(`${part.name}: declares both readyUrl and readyOnMessage; choose one`);
    } else if (!part.readyOnMessage && !isHttpUrl(part.readyUrl)) {
      problems.push(`${part.name}: readyUrl ${JSON.stringify(part.readyUrl)} is not an http:// URL`);
    }
  }
  if (problems.length > 0) {
    throw new LauncherError('INVALID_PART', `invalid system declaration:\n  ${problems.join('\n  ')}`);
  }
  for (const part of parts) {
    for (const dep of part.dependsOn) {
      if (!names.has(dep)) {
        throw new LauncherError(
          'UNKNOWN_DEPENDENCY',
          `${part.name} depends on "${dep}", which is not declared (known: ${[...names].join(', ')})`,
          part.name,
        );
      }
    }
  }
  startOrder(parts);
}

/** Parts ordered so that each comes after its dependencies; a cycle is an error naming it. */
export function startOrder(parts: readonly Part[]): Part[] {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const done = new Set<string>();
  const path: string[] = [];
  const order: Part[] = [];
  const visit = (part: Part): void => {
    if (done.has(part.name)) return;
    const seen = path.indexOf(part.name);
    if (seen >= 0) {
      const cycle = [...path.slice(seen), part.name].join(' → ');
      throw new LauncherError('DEPENDENCY_CYCLE', `dependency cycle: ${cycle}`, part.name);
    }
    path.push(part.name);
    for (const dep of part.dependsOn) {
      const depPart = byName.get(dep);
      if (depPart) visit(depPart);
    }
    path.pop();
    done.add(part.name);
    order.push(part);
  };
  for (const part of parts) visit(part);
  return order;
}

/**
 * The parts named in `only` (comma-separated, as `HELPLINE_ONLY` holds it) and everything they
 * depend on, in declaration order; all parts when `only` is empty.
 */
export function selectParts(parts: readonly Part[], only: string | undefined): Part[] {
  const wanted = (only ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0) return [...parts];
  const byName = new Map(parts.map((p) => [p.name, p]));
  const unknown = wanted.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new LauncherError(
      'UNKNOWN_PART_SELECTED',
      `HELPLINE_ONLY names ${unknown.map((n) => `"${n}"`).join(', ')}, not declared (known: ${[...byName.keys()].join(', ')})`,
    );
  }
  const keep = new Set<string>();
  const add = (name: string): void => {
    if (keep.has(name)) return;
    keep.add(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) add(dep);
  };
  wanted.forEach(add);
  return parts.filter((p) => keep.has(p.name));
}

/** `user-service` → `USER_SERVICE`, the part's name as it appears in variable names. */
export function envName(partName: string): string {
  return partName.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * A child's environment: the launcher's own (less `notInherited`), then the part's declared env,
 * then per-part overrides `HELPLINE_<PART>__<VAR>=value`.
 */
export function childEnv(
  part: Part,
  launcherEnv: NodeJS.ProcessEnv,
  notInherited: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(launcherEnv)) {
    if (value !== undefined && !notInherited.includes(key)) env[key] = value;
  }
  Object.assign(env, part.env);
  const prefix = `HELPLINE_${envName(part.name)}__`;
  for (const [key, value] of Object.entries(launcherEnv)) {
    if (key.startsWith(prefix) && key.length > prefix.length && value !== undefined) {
      env[key.slice(prefix.length)] = value;
    }
  }
  return env;
}

const EVAL_FLAGS = new Set(['-e', '--eval', '-p', '--print']);

/** Script files a part's command runs (`*.js`, `*.mjs`, `*.cjs` arguments), as written. */
export function entryFiles(part: Part): string[] {
  const args = part.command.slice(1);
  return args.filter((arg, i) => /\.[cm]?js$/.test(arg) && !EVAL_FLAGS.has(args[i - 1] ?? ''));
}

/** Fails, naming each one, when a part's script is missing — usually because nothing was built yet. */
export function assertEntriesExist(parts: readonly Part[], cwd: string): void {
  const missing = parts.flatMap((part) =>
    entryFiles(part)
      .filter((file) => !existsSync(isAbsolute(file) ? file : resolve(cwd, file)))
      .map((file) => ({ part: part.name, file })),
  );
  if (missing.length === 0) return;
  const lines = missing.map((m) => `${m.part}: ${m.file} not found — run npm run build`);
  throw new LauncherError('ENTRY_NOT_FOUND', lines.join('\n'), missing[0]?.part);
}

function isHttpUrl(value: string | undefined): boolean {
  try {
    return new URL(value ?? '').protocol === 'http:';
  } catch {
    return false;
  }
}
