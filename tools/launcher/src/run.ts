import { renderBanner } from './banner.js';
import { LAUNCHER_NAME, Launcher, type LauncherOptions } from './launcher.js';
import { paint, prefixLines } from './log-format.js';
import { LauncherError, type SystemDeclaration } from './part.js';
import { selectParts } from './plan.js';

/** What `runSystem` listens on for stop requests; `process` unless a test passes its own. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface RunOptions extends LauncherOptions {
  /** Comma-separated part names to start with their dependencies (`HELPLINE_ONLY`); all when empty. */
  only?: string;
  signals?: SignalSource;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs a system until it is stopped: starts it, prints the banner, waits for a signal or a part's
 * death, stops everything. Resolves with the exit code: 0 when stopped by a signal, 1 on failure.
 */
export async function runSystem(system: SystemDeclaration, options: RunOptions): Promise<number> {
  let launcher: Launcher;
  try {
    const parts = selectParts(system.parts, options.only);
    launcher = new Launcher(parts, { ...options, notInherited: system.notInherited ?? [] });
  } catch (err) {
    reportError(err, options);
    return 1;
  }
  const signals = options.signals ?? process;
  let onSignal!: () => void;
  const signalled = new Promise<'signal'>((resolve) => (onSignal = () => resolve('signal')));
  const handler = (signal: NodeJS.Signals): void => {
    launcher.say(`${signal} received — stopping every part`);
    onSignal();
    void launcher.stop();
  };
  for (const signal of STOP_SIGNALS) signals.on(signal, handler);
  for (const warning of system.warnings ?? []) launcher.say(warning, 'error');
  try {
    try {
      await launcher.start();
    } catch (err) {
      if (err instanceof LauncherError && err.code === 'STOPPED') {
        launcher.say('stopped');
        return 0;
      }
      launcher.say(errorMessage(err), 'error');
      return 1;
    }
    const banner = renderBanner(launcher.startOrder, system.notes ?? [], options.color ?? false);
    (options.write ?? ((t: string) => process.stdout.write(t)))(banner + '\n');
    const outcome = await Promise.race([signalled, launcher.failed]);
    await launcher.stop();
    if (outcome !== 'signal' || launcher.failure) {
      launcher.say('stopped every part because one failed', 'error');
      return 1;
    }
    launcher.say('stopped');
    return 0;
  } finally {
    for (const signal of STOP_SIGNALS) signals.off(signal, handler);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function reportError(err: unknown, options: LauncherOptions): void {
  const color = options.color ?? false;
  const text =
    prefixLines(paint(errorMessage(err), '31', color), `${paint(LAUNCHER_NAME, '1', color)} | `) + '\n';
  (options.write ?? ((t: string) => process.stdout.write(t)))(text);
}
