#!/usr/bin/env node
// The whole local stack, idle: how long `npm start` takes to be ready (on an empty data directory,
// then again on the same one), and how much memory every part holds once it is ready and has
// settled — the launcher's children and their children (PostgreSQL's processes included), summed.
//
// RSS counts a page once per process that maps it, so PostgreSQL's shared buffers are counted once
// per backend and shared libraries once per process; PSS (Linux) splits shared pages between the
// processes that share them, and so sums to what the stack really holds. Goal: the idle stack
// under 500 MB of PSS. Both are printed.
//
// Usage: npm run build && node bench/idle-stack.mjs [--settle-ms 5000]
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const GOAL_MB = 500;
const READY_TIMEOUT_MS = 120_000;
const settleArg = process.argv.indexOf('--settle-ms');
const SETTLE_MS = settleArg > 0 ? Number(process.argv[settleArg + 1]) : 5_000;
const root = process.cwd();
const dataDir = mkdtempSync(join(tmpdir(), 'helpline-bench-'));
chmodSync(dataDir, 0o755);
const say = (line) => process.stdout.write(`${line}\n`);

if (!existsSync(join(root, 'tools/launcher/dist/main.js'))) {
  say('idle-stack: nothing built yet — run npm run build first');
  process.exit(1);
}

/** Starts the launcher, resolves with it and the seconds it took to print its banner. */
async function start() {
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['tools/launcher/dist/main.js'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', HELPLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!output.includes('Press Ctrl-C to stop')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the stack did not come up:\n${output}`);
    }
    await delay(20);
  }
  return { child, seconds: (performance.now() - startedAt) / 1000 };
}

async function stop(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

function descendants(pid) {
  return childrenOf(pid).flatMap((child) => [child, ...descendants(child)]);
}

function kb(pid, file, field) {
  const text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
}

/** Memory of each part (a direct child of the launcher and everything under it), in kB. */
function memoryByPart(launcherPid) {
  return childrenOf(launcherPid).map((pid) => {
    const pids = [pid, ...descendants(pid)];
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const script = cmdline.find((arg) => arg.endsWith('main.js')) ?? cmdline[0];
    return {
      part: script.replace(/^(apps|tools)\//, '').replace(/\/dist\/main\.js$/, ''),
      processes: pids.length,
      rss: pids.reduce((sum, p) => sum + kb(p, 'status', 'VmRSS'), 0),
      pss: pids.reduce((sum, p) => sum + kb(p, 'smaps_rollup', 'Pss'), 0),
    };
  });
}

const mb = (kilobytes) => (kilobytes / 1024).toFixed(0).padStart(5);

try {
  const cold = await start();
  say(`start-up, empty data directory: ${cold.seconds.toFixed(1)} s to all-ready`);
  await stop(cold.child);
  const warm = await start();
  say(`start-up, existing data directory: ${warm.seconds.toFixed(1)} s to all-ready`);
  if (process.platform !== 'linux') {
    say('memory: measured from /proc, so on Linux only');
    await stop(warm.child);
    process.exit(0);
  }
  await delay(SETTLE_MS);
  const parts = memoryByPart(warm.child.pid);
  say(`idle memory after ${SETTLE_MS / 1000} s (MB):`);
  say('  part                 procs    RSS    PSS');
  for (const p of parts)
    say(`  ${p.part.padEnd(20)} ${String(p.processes).padStart(5)}  ${mb(p.rss)}  ${mb(p.pss)}`);
  const rss = parts.reduce((s, p) => s + p.rss, 0);
  const pss = parts.reduce((s, p) => s + p.pss, 0);
  say(`  ${'total'.padEnd(20)} ${' '.repeat(5)}  ${mb(rss)}  ${mb(pss)}`);
  await stop(warm.child);
  const within = pss / 1024 < GOAL_MB;
  say(
    `idle-stack: ${within ? 'within' : 'OVER'} the ${GOAL_MB} MB goal (PSS ${mb(pss).trim()} MB; RSS summed ${mb(rss).trim()} MB)`,
  );
  process.exitCode = within ? 0 : 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
