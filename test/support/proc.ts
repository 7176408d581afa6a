import { spawn, type ChildProcess } from 'node:child_process';

export interface Proc {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/**
 * Spawns a real client program (no shell) and keeps its output; it is killed when the test process exits. `stdin:
 * 'pipe'` leaves its standard input open for the caller (child.stdin), else it reads nothing.
 */
export function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; stdin?: 'pipe' } = {}): Proc {
  const child = spawn(cmd, args, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b) => (out = (out + b).slice(-200_000)));
  child.stderr!.on('data', (b) => (err = (err + b).slice(-200_000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve(code);
    });
    child.on('error', (e) => {
      err += String(e);
      resolve(-1);
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs to completion; throws with stderr when the exit code is not 0. */
export async function runOk(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const p = run(cmd, args, { timeoutMs });
  const code = await p.exited;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${p.stderr().slice(-2000)}`);
  return p.stdout();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * `p`'s value, or `late` if it has not settled within `ms` (a bound). The timer is cleared once `p` settles: a
 * `Promise.race` with `sleep(ms)` leaves it pending, and a pending timer keeps the test file's process (and the run
 * waiting for it) alive after its last test, up to `ms` longer.
 */
export async function within<T, U>(p: Promise<T>, ms: number, late: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<U>((resolve) => (timer = setTimeout(() => resolve(late), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `fn` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * A queue for starts that are CPU (a `--workers` machine: a primary and two workers loading the sources): the function
 * it returns runs `start` once every start queued before it has settled, so tests that mostly wait after their start
 * can run side by side without their starts competing for the cores (several at once beside a neighbour file went
 * past their start waits on the loaded VM).
 */
export function oneAtATime(): <T>(start: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(start: () => Promise<T>): Promise<T> => {
    const started = last.then(start);
    last = started.catch(() => undefined);
    return started;
  };
}
