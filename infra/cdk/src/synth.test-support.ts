/* eslint-disable @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON */
/**
 * Synthesizes the app once for a test file, in a temporary folder, with cdk-nag's checks, and
 * returns the template and what cdk-nag found. Docker image assets are not staged (they would copy
 * the repository for each image); the triggers' function is bundled unless asked otherwise.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, STACK_NAME } from './app.js';
import type { HelplineStack } from './stack.js';

export interface Violation {
  rule: string;
  severity: string;
  paths: string[];
}

export interface Synthesized {
  stack: HelplineStack;
  template: Template;
  json: { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any }> };
  /** cdk-nag's unacknowledged findings (errors and warnings). */
  violations: Violation[];
}

export function synthesize(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'helpline-cdk-'));
  try {
    const { app, stack } = buildApp({
      outdir,
      context: {
        'aws:cdk:disable-asset-staging': true,
        ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
        ...context,
      },
    });
    let failed: unknown;
    try {
      app.synth();
    } catch (error) {
      failed = error;
    }
    const violations = readViolations(outdir);
    if (failed && violations.length === 0) throw failed;
    const json = JSON.parse(
      readFileSync(join(outdir, `${STACK_NAME}.template.json`), 'utf8'),
    ) as Synthesized['json'];
    return { stack, template: Template.fromJSON(json), json, violations };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function readViolations(outdir: string): Violation[] {
  let report: { pluginReports?: Array<{ violations?: any[] }> };
  try {
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  } catch {
    return [];
  }
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).map((v) => ({
      rule: v.ruleName as string,
      severity: v.severity as string,
      paths: (v.violatingConstructs ?? []).map((c: { constructPath: string }) => c.constructPath),
    })),
  );
}

/** Resources of one type: logical id → properties. */
export function resourcesOf(json: Synthesized['json'], type: string): Array<[string, any]> {
  return Object.entries(json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}
