#!/usr/bin/env node
// Versions in one place: a package that several workspaces depend on must be asked for with the
// same range everywhere (peer ranges excepted: they say what a consumer may bring).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = JSON.parse(readFileSync('package.json', 'utf8'));
const manifests = [['(root)', root]];
for (const pattern of root.workspaces) {
  const dir = pattern.replace(/\/\*$/, '');
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'package.json');
    if (existsSync(file)) manifests.push([join(dir, name), JSON.parse(readFileSync(file, 'utf8'))]);
  }
}

const wanted = new Map();
for (const [where, manifest] of manifests) {
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!wanted.has(name)) wanted.set(name, new Map());
      const ranges = wanted.get(name);
      if (!ranges.has(range)) ranges.set(range, []);
      ranges.get(range).push(where);
    }
  }
}

const problems = [];
for (const [name, ranges] of wanted) {
  if (ranges.size > 1) {
    const detail = [...ranges].map(([range, where]) => `${range} in ${where.join(', ')}`).join('; ');
    problems.push(`${name}: ${detail}`);
  }
}
if (problems.length > 0) {
  process.stderr.write(
    `Dependency versions differ between workspaces:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`check-versions: ${wanted.size} dependencies, one version each\n`);
