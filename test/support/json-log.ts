/**
 * A server's structured log (its stdout, one JSON object per line) as objects; lines that are not JSON (a start
 * banner, a line cut by the process's end) are empty objects, so a search over the result simply skips them.
 */
export function jsonLogLines<T extends object>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try {
      return JSON.parse(l) as T;
    } catch {
      return {} as T;
    }
  });
}

/** A `--workers` worker's `worker ready` log line (its slot, pid and internal ports). */
export interface WorkerReadyLine {
  msg?: string;
  worker?: number;
  pid?: number;
  internal?: { http: number; rtmp?: number };
}

/**
 * The `worker ready` lines of a two-worker server: of the worker `ownerWorker` (the one whose log says `publish
 * started`) and of the other; the latest line of each, so a restarted worker's ports are its new ones.
 */
export function ownerAndOtherWorker<T extends WorkerReadyLine>(lines: readonly T[], ownerWorker: number | undefined): { owner: T | undefined; other: T | undefined } {
  let owner: T | undefined;
  let other: T | undefined;
  for (const l of lines) {
    if (l.msg !== 'worker ready' || !l.internal) continue;
    if (l.worker === ownerWorker) owner = l;
    else other = l;
  }
  return { owner, other };
}
