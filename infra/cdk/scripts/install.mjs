#!/usr/bin/env node
// Installs the CDK app's own dependencies (aws-cdk-lib, constructs, cdk-nag, the CDK CLI) from
// infra/cdk/package-lock.json, only when that lockfile changed since the last install. They stay
// out of the root workspaces so that the quick start's `npm install` does not fetch ~220 MB it
// does not need (README: Deploying to AWS). Checks the lockfile as the root's is checked.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('..', import.meta.url));
const stamp = new URL('../node_modules/.helpline-lock-sha256', import.meta.url);
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run(process.execPath, [fileURLToPath(new URL('../../../tools/check-lockfile.mjs', import.meta.url))]);
const hash = createHash('sha256')
  .update(readFileSync(new URL('../package-lock.json', import.meta.url)))
  .digest('hex');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
  process.stdout.write('infra/cdk: dependencies up to date\n');
} else {
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}
