import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Every child a benchmark started and that is still running: killed if the benchmark exits first. */
const running = new Set<ChildProcess>();
process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts `cmd`; by default stdout is dropped and stderr shown. Killed when the benchmark exits. */
export function startChild(cmd: string, args: readonly string[], stdio: StdioOptions = ['ignore', 'ignore', 'inherit']): ChildProcess {
  const c = spawn(cmd, args, { stdio });
  running.add(c);
  c.on('exit', () => running.delete(c));
  return c;
}

/** SIGTERM, then SIGKILL if the child has not exited after `killAfterMs`; resolves once it has exited. */
export async function stopChild(c: ChildProcess, killAfterMs = 5000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((r) => {
    c.once('exit', () => r());
    c.kill('SIGTERM');
    setTimeout(() => c.kill('SIGKILL'), killAfterMs).unref();
  });
}

/** `--name N` from the command line, or `def`. */
export function numberArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** The middle value (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Runs a benchmark's `main`: an error is printed and sets exit code 1; `workDir`, if given, is removed either way. */
export function runBench(main: () => Promise<void>, workDir?: string): void {
  main()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => {
      if (workDir) rmSync(workDir, { recursive: true, force: true, maxRetries: 3 });
    });
}
