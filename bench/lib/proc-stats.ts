import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // Linux USER_HZ; true on every Debian kernel this runs on

/**
 * CPU seconds (user + system) a process has used so far: the sum of its threads' run time in nanoseconds
 * (/proc/<pid>/task/<tid>/schedstat), falling back to /proc/<pid>/stat. Why not /proc/<pid>/stat alone: it counts
 * in 10 ms ticks, and a stream using 0.3 % of a core for 20 s is 6 ticks, so one tick is 17 % of the reading.
 * The thread sum misses threads that ended during a window; the servers measured here keep theirs.
 */
export function cpuSeconds(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read: its time is gone either way
      }
    }
    if (ns > 0) return ns / 1e9;
  } catch {
    // no schedstat on this kernel: ticks below
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * The share of one core (0..1 per core) each of `pids` used over one window of `seconds` from now: read over the
 * same window for all, so a machine that drifts between windows drifts for all of them alike.
 */
export async function cpuShares(pids: readonly number[], seconds: number): Promise<number[]> {
  const before = pids.map(cpuSeconds);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (Date.now() - t0) / 1000;
  return pids.map((pid, i) => (cpuSeconds(pid) - before[i]!) / elapsed);
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Busy jiffies of one CPU (everything but idle and iowait), from /proc/stat; includes kernel work for any process. */
export function cpuBusySeconds(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return 0;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return (v.reduce((a, b) => a + b, 0) - idle) / CLK_TCK;
}

/** Seconds since the process started (/proc/<pid>/stat starttime against /proc/uptime). */
export function processAgeSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) / CLK_TCK;
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return uptime - started;
}

/** A process's I/O counters (/proc/<pid>/io): bytes passed to write calls, write calls, and bytes sent to storage. */
export interface ProcIo {
  readonly wchar: number;
  readonly syscw: number;
  readonly writeBytes: number;
}

export function procIo(pid: number): ProcIo {
  const fields = new Map(readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map((l) => {
    const [k, v] = l.split(':');
    return [k!.trim(), Number(v)] as const;
  }));
  return { wchar: fields.get('wchar') ?? 0, syscw: fields.get('syscw') ?? 0, writeBytes: fields.get('write_bytes') ?? 0 };
}

/** `pid` and its descendants (a `--workers` primary and its workers), from /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(' ').map(Number));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds of a process and its descendants (see cpuSeconds). */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    try {
      return sum + cpuSeconds(p);
    } catch {
      return sum;
    }
  }, 0);
}

/** Resident memory of a process and its descendants. */
export function treeRssBytes(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    try {
      return sum + rssBytes(p);
    } catch {
      return sum;
    }
  }, 0);
}
