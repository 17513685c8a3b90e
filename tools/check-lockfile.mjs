#!/usr/bin/env node
// `npm ci` refuses a lockfile that lacks any platform package a dependency lists as optional
// (e.g. @swc/core-darwin-arm64). npm leaves one out when the registry has no such version, which
// passes unnoticed on the machine that installed it and breaks every clean install later. Pin a
// version whose platform packages are all published (package.json "overrides" for transitive ones).
import { readFileSync } from 'node:fs';

const { packages } = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const problems = [];
for (const [path, meta] of Object.entries(packages)) {
  for (const dep of Object.keys(meta.optionalDependencies ?? {})) {
    let base = path;
    let found = false;
    for (;;) {
      if (packages[`${base ? `${base}/` : ''}node_modules/${dep}`]) {
        found = true;
        break;
      }
      if (!base) break;
      const at = base.lastIndexOf('/node_modules/');
      base = at < 0 ? '' : base.slice(0, at);
    }
    if (!found) problems.push(`${path || '(root)'}@${meta.version}: optional ${dep} is not in the lockfile`);
  }
}
if (problems.length > 0) {
  process.stderr.write(
    `package-lock.json would fail npm ci:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
      'Pin a version whose platform packages are all published (see tools/check-lockfile.mjs).\n',
  );
  process.exit(1);
}
process.stdout.write('check-lockfile: every optional platform package is locked\n');
