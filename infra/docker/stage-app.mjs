#!/usr/bin/env node
// Stages one workspace for its container image (run in the image's build stage, from the
// repository root, after `tsc -b`):
//
//   node infra/docker/stage-app.mjs <out> <@helpline/name> [extra file...]
//
// <out>/manifests: the root package.json and lockfile and the package.json of the workspace and of
//   every workspace it depends on, for `npm ci --omit=dev -w <name>` (nothing else installed).
// <out>/app: those workspaces' built files (package.json, dist/, drizzle/ migrations, the files
//   their package.json lists), the extra files named, and the image's start.mjs and healthcheck.mjs.
// The workspaces come from the root package.json; no list of them is kept here.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [out, name, ...extras] = process.argv.slice(2);
if (!out || !name) {
  process.stderr.write('usage: stage-app.mjs <out> <workspace name> [extra file...]\n');
  process.exit(2);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const root = readJson('package.json');

/** Workspace name → folder, from the root's patterns (`dir/*`, `!dir/excluded`). */
const workspaces = new Map();
const excluded = new Set(root.workspaces.filter((p) => p.startsWith('!')).map((p) => p.slice(1)));
for (const pattern of root.workspaces.filter((p) => !p.startsWith('!'))) {
  const dirs = pattern.endsWith('/*')
    ? readdirSync(pattern.slice(0, -2)).map((entry) => join(pattern.slice(0, -2), entry))
    : [pattern];
  for (const dir of dirs) {
    if (excluded.has(dir) || !existsSync(join(dir, 'package.json'))) continue;
    workspaces.set(readJson(join(dir, 'package.json')).name, dir);
  }
}

/** The workspace and every workspace it depends on, transitively (production dependencies only). */
const closure = new Map();
const visit = (workspace) => {
  if (closure.has(workspace)) return;
  const dir = workspaces.get(workspace);
  if (!dir) throw new Error(`${workspace} is not a workspace of this repository`);
  closure.set(workspace, dir);
  const manifest = readJson(join(dir, 'package.json'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (workspaces.has(dependency)) visit(dependency);
  }
};
visit(name);

const copy = (from, to) => {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, {
    recursive: true,
    // Build bookkeeping is no part of the image.
    filter: (source) => !source.endsWith('.tsbuildinfo'),
  });
};

for (const file of ['package.json', 'package-lock.json']) copy(file, join(out, 'manifests', file));
for (const [workspace, dir] of closure) {
  const manifest = readJson(join(dir, 'package.json'));
  copy(join(dir, 'package.json'), join(out, 'manifests', dir, 'package.json'));
  copy(join(dir, 'package.json'), join(out, 'app', dir, 'package.json'));
  if (!existsSync(join(dir, 'dist'))) throw new Error(`${workspace}: ${dir}/dist is missing (build first)`);
  const wanted = new Set(['dist', 'drizzle']);
  for (const entry of manifest.files ?? []) {
    const top = entry.split('/')[0];
    if (!top.includes('*')) wanted.add(top);
  }
  for (const entry of wanted) {
    if (existsSync(join(dir, entry))) copy(join(dir, entry), join(out, 'app', dir, entry));
  }
}
for (const extra of extras) {
  if (!existsSync(extra) || !statSync(extra).isFile()) throw new Error(`extra file ${extra} not found`);
  copy(extra, join(out, 'app', extra));
}
for (const file of ['start.mjs', 'healthcheck.mjs']) copy(join('infra/docker', file), join(out, 'app', file));
process.stdout.write(
  `staged ${[...closure.keys()].join(', ')}${extras.length ? ` and ${extras.join(', ')}` : ''}\n`,
);
