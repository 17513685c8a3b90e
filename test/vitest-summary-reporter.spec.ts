import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/vitest-summary/', import.meta.url));
const SUMMARY = /^tests: (\d+) passed, (\d+) failed, (\d+) skipped$/;

// The outer run's VITEST* variables (worker and pool ids, mode) must not leak into the child,
// which is a vitest run of its own.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));

type Run = { code: number | null; stdout: string; stderr: string };

/** A real vitest on one fixture file, with the fixtures' own config (and so the real reporter). */
function runFixture(file: string): Promise<Run> {
  const args = [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--config',
    `${FIXTURES}vitest.config.ts`,
    FIXTURES + file,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** CI tools read only the last line, so that is the one that must tell the truth. */
function summaryOf(run: Run) {
  const last = run.stdout.trimEnd().split('\n').at(-1) ?? '';
  const match = SUMMARY.exec(last);
  expect(match, `last stdout line was ${JSON.stringify(last)}\n${run.stdout}\n${run.stderr}`).not.toBeNull();
  const [, passed, failed, skipped] = match!.map(Number);
  return { line: last, passed, failed, skipped };
}

const FAILING = [
  'failing-test.fixture.ts',
  'before-all.fixture.ts',
  'after-all.fixture.ts',
  'unhandled-rejection.fixture.ts',
  'collect-error.fixture.ts',
];

describe('vitest summary reporter', () => {
  const runs = new Map<string, Run>();

  beforeAll(async () => {
    // Concurrently: each child is a full vitest start-up, most of the test's wall time.
    const files = ['passing.fixture.ts', ...FAILING];
    const results = await Promise.all(files.map(runFixture));
    files.forEach((file, i) => runs.set(file, results[i]!));
  }, 90_000);

  it('reports a passing file exactly, and exits 0', () => {
    const run = runs.get('passing.fixture.ts')!;
    expect(summaryOf(run).line).toBe('tests: 2 passed, 0 failed, 0 skipped');
    expect(run.code).toBe(0);
  });

  it.each(FAILING)('counts at least one failure for %s, which exits non-zero', (file) => {
    const run = runs.get(file)!;
    expect(summaryOf(run).failed).toBeGreaterThanOrEqual(1);
    expect(run.code).not.toBe(0);
  });
});
