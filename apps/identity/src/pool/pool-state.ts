import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { JsonFile } from '../storage/json-file.js';

export interface PoolStateDocument {
  version: 1;
  /** Epoch ms of the first start with this data dir: the pool's, its groups' and clients' creation date. */
  createdAt: number;
  /** Keys the stand-ins for users who do not exist (see Decoys), so they answer the same after a restart. */
  decoyKey: string;
}

/** What the pool itself keeps across restarts (not the users): `<data dir>/pool-state.json`. */
export async function openPoolState(
  file: JsonFile<PoolStateDocument>,
  clock: Clock,
): Promise<PoolStateDocument> {
  const existing = await file.read();
  if (existing?.version === 1 && typeof existing.decoyKey === 'string') return existing;
  const created: PoolStateDocument = {
    version: 1,
    createdAt: clock.now(),
    decoyKey: randomBytes(32).toString('base64url'),
  };
  await file.write(created);
  return created;
}
