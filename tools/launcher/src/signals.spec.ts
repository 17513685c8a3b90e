/**
 * The launcher as a real process receiving real signals: what a terminal's Ctrl-C, a `kill`, or
 * a crash of the launcher do to the parts. The sources are transpiled to a temporary directory,
 * since Node 20 cannot run TypeScript and the tests must not depend on a build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { freePort } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Part } from './part.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const FAKE_PART = join(SRC, 'fixtures/fake-part.mjs');
const RUNNER = `
import { runSystem } from './run.js';
// Stands in for a bug: an uncaught exception at any moment the test chooses.
process.on('SIGUSR2', () => {
  throw new Error('a bug in the launcher');
});
const system = JSON.parse(process.env.FIXTURE_SYSTEM);
const code = await runSystem(system, {
  cwd: process.cwd(), env: process.env, only: process.env.HELPLINE_ONLY, json: true, readyIntervalMs: 25,
});
process.exit(code);
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'launcher-signals-'));
  for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(SRC, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'runner.js'), RUNNER);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fake(name: string, dependsOn: string[] = []): Promise<Part> {
  const port = await freePort();
  return {
    name,
    command: ['node', FAKE_PART],
    port,
    env: { FAKE_NAME: name, PORT: String(port) },
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
    dependsOn,
  };
}

interface LauncherProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ready: Promise<void>;
}

function startLauncher(parts: Part[], env: Record<string, string> = {}): LauncherProcess {
  const child = spawn(process.execPath, ['runner.js'], {
    cwd: dir,
    env: { ...process.env, ...env, FIXTURE_SYSTEM: JSON.stringify({ parts }) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a shell's foreground job: the group is what Ctrl-C signals.
    detached: true,
  });
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (text.includes('Press Ctrl-C to stop.')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`launcher exited before ready:\n${text}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, exited, ready };
}

function pidsIn(text: string): number[] {
  return [...new Set(Array.from(text.matchAll(/"pid":(\d+)/g), (m) => Number(m[1])))];
}

/** Pids still running (a zombie awaiting its reaper counts as gone), polled for up to 2 s: a SIGKILL lands asynchronously. */
async function survivors(pids: number[]): Promise<number[]> {
  const running = (pid: number): boolean => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 2_000;
  while (pids.some(running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(running);
}

describe('the launcher process', () => {
  it('on Ctrl-C (SIGINT to its process group) stops each part with one SIGTERM and exits 0', async () => {
    const a = await fake('a');
    const b = await fake('b', ['a']);
    const launcher = startLauncher([a, b]);
    await launcher.ready;
    process.kill(-launcher.child.pid!, 'SIGINT');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    const text = launcher.output();
    // The parts are in their own process groups: the terminal's SIGINT never reaches them, so
    // each stops on the launcher's SIGTERM, dependents first.
    expect(text.match(/received SIGTERM/g)).toHaveLength(2);
    expect(text.indexOf('stopping b')).toBeLessThan(text.indexOf('stopping a'));
    const pids = pidsIn(text);
    expect(pids).toHaveLength(2);
    expect(await survivors(pids)).toEqual([]);
  });

  it('on SIGTERM stops every part and exits 0; HELPLINE_ONLY starts just a part and its dependencies', async () => {
    const a = await fake('a');
    const b = await fake('b', ['a']);
    const c = await fake('c');
    const launcher = startLauncher([a, b, c], { HELPLINE_ONLY: 'b' });
    await launcher.ready;
    expect(launcher.output()).not.toContain('starting c');
    launcher.child.kill('SIGTERM');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    expect(launcher.output()).toContain('SIGTERM received — stopping every part');
    expect(await survivors(pidsIn(launcher.output()))).toEqual([]);
  });

  it('leaves no part running when the launcher itself crashes', async () => {
    const a = await fake('a');
    const launcher = startLauncher([a]);
    await launcher.ready;
    launcher.child.kill('SIGUSR2');
    const { code } = await launcher.exited;
    expect(code).not.toBe(0);
    expect(launcher.output()).toContain('a bug in the launcher');
    const pids = pidsIn(launcher.output());
    expect(pids).toHaveLength(1);
    expect(await survivors(pids)).toEqual([]);
  });
});
