import { writeSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule, TestRunEndReason, TestSuite } from 'vitest/node';

type Counts = { passed: number; failed: number; skipped: number };

/**
 * Ends the run with one plain line, "tests: N passed, N failed, N skipped", after vitest's own
 * summary, so that CI logs can be read by tools that only know that form. Those tools look at
 * nothing else, so the line must never say "0 failed" for a run that failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
    for (const mod of testModules) {
      const before = counts.failed;
      tally(mod, false, counts);
      // Safety net for failures vitest records somewhere we do not look: a module vitest calls
      // failed shows at least one failure here.
      if (mod.state() === 'failed' && counts.failed === before) counts.failed++;
    }
    // Unhandled errors (e.g. a rejection nobody awaited) belong to no test, but fail the run.
    counts.failed += unhandledErrors.length;
    // Same net for the whole run (no test files found, an interrupted run): it did not pass.
    if (reason !== 'passed' && counts.failed === 0) counts.failed = 1;

    // Printed at exit so that it comes after vitest's own summary block.
    const line = `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`;
    process.once('exit', () => writeSync(1, line));
  }
}

/**
 * A failing beforeAll/afterAll or a collection error is recorded on the suite or module, not on
 * a test: vitest marks the suite's tests skipped (beforeAll) or leaves them passed (afterAll). So
 * each such error counts as one failure, and tests that were meant to run but were skipped under
 * it are explained by that failure rather than reported as skipped. beforeEach/afterEach errors
 * fail the test itself, which counts once like any failed test.
 */
function tally(entity: TestModule | TestSuite, underError: boolean, counts: Counts): void {
  const errors = entity.errors().length;
  counts.failed += errors;
  const broken = underError || errors > 0;
  for (const child of entity.children) {
    if (child.type === 'suite') {
      tally(child, broken, counts);
      continue;
    }
    const { state } = child.result();
    if (state === 'passed') counts.passed++;
    else if (state === 'failed') counts.failed++;
    else if (!broken || child.options.mode === 'skip' || child.options.mode === 'todo') counts.skipped++;
  }
}
