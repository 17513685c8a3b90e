/**
 * `npm start`: runs the system declared in system.ts until Ctrl-C.
 *
 * Reads HELPLINE_ONLY (start just these parts and their dependencies), LOG_FORMAT=json (raw log
 * lines), NO_COLOR, and what system.ts reads (HELPLINE_DATA_DIR, USER_DB_URL...); everything
 * else in the environment is passed on to the parts.
 */
import { fileURLToPath } from 'node:url';
import { runSystem } from './run.js';
import { buildSystem } from './system.js';

// tools/launcher/dist/main.js → the repository root, where every command's paths start.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = process.env;

const code = await runSystem(buildSystem(env, root), {
  cwd: root,
  env,
  only: env.HELPLINE_ONLY,
  json: env.LOG_FORMAT === 'json',
  color: Boolean(process.stdout.isTTY) && !env.NO_COLOR,
});
process.exit(code);
