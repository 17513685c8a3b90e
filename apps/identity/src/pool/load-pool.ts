import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { poolDefinitionSchema, type PoolDefinition, type PoolDefinitionInput } from './pool-definition.js';

const POOL_FILE_IN_REPO = join('infra', 'cognito', 'pool.json');

/**
 * infra/cognito/pool.json of this checkout, found from this module's own location (src/ or dist/, however
 * deep) so that identity finds it whatever directory it was started from; the working directory is the
 * last resort.
 */
export function defaultPoolFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, POOL_FILE_IN_REPO);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return resolve(POOL_FILE_IN_REPO);
    dir = parent;
  }
}

export class PoolDefinitionError extends Error {
  readonly code = 'POOL_DEFINITION_INVALID';
}

/** Validates a pool definition, naming every problem with its JSON path. */
export function parsePoolDefinition(input: unknown, source = 'pool definition'): PoolDefinition {
  const result = poolDefinitionSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new PoolDefinitionError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
}

export async function loadPoolFile(path: string): Promise<PoolDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PoolDefinitionError(`cannot read the pool definition ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PoolDefinitionError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parsePoolDefinition(json, path);
}

export type { PoolDefinitionInput };
