import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { startChild, stopChild } from './children.js';

export interface BenchServer {
  readonly name: string;
  readonly pid: number;
  readonly rtmpUrl: (stream: string) => string;
  /** OnAir with watchHeapShrink: resolves once the post-start heap shrink has happened (true) or timed out. */
  readonly heapShrunk?: Promise<boolean>;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

export async function waitPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Builds dist/: benchmarks measure the build users run (`npm start`), not the sources through a loader. */
export function buildOnAir(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}

// BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=bench/out/prof") profiles the server under load.
const benchNodeArgs = (): string[] => (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

export interface OnAirBenchOptions {
  /** OnAir flags after the bench's own (auth open, loopback, ports, data dir, log level warn). */
  readonly args?: readonly string[];
  readonly name?: string;
  /** Flags for node before the script; default BENCH_NODE_ARGS. */
  readonly nodeArgs?: readonly string[];
  /**
   * Watch V8's GC trace (node --trace-gc, one line per collection on stdout) for the memory reducer's
   * post-start shrink: BenchServer.heapShrunk resolves after it (or after `timeoutMs`, false).
   */
  readonly watchHeapShrink?: boolean;
}

/** How long after start V8's memory reducer may take to shrink the heap (seen at 55-80 s after start). */
const HEAP_SHRINK_TIMEOUT_MS = 150_000;
/** The reducer's collections come in a burst (two, ~0.6 s apart); quiet for this long means it is done. */
const HEAP_SHRINK_QUIET_MS = 5_000;

/** OnAir from dist/ (built by the caller, buildOnAir), pinned to `cpu`. */
export async function startOnAir(cpu: number, port: number, workDir: string, options: OnAirBenchOptions = {}): Promise<BenchServer> {
  const dataDir = join(workDir, `onair-data-${port}`);
  mkdirSync(dataDir, { recursive: true });
  const nodeArgs = [...(options.nodeArgs ?? benchNodeArgs()), ...(options.watchHeapShrink ? ['--trace-gc'] : [])];
  const child = startChild('taskset', ['-c', String(cpu), process.execPath, ...nodeArgs, join(root, 'dist/main.js'), '--auth', 'open', '--host', '127.0.0.1',
    '--rtmp-port', String(port), '--http-port', String(port + 1), '--data-dir', dataDir, '--log-level', 'warn', ...(options.args ?? [])],
  ['ignore', options.watchHeapShrink ? 'pipe' : 'ignore', 'inherit']);
  const heapShrunk = options.watchHeapShrink ? watchHeapShrink(child) : undefined;
  await waitPort(port);
  return {
    name: options.name ?? 'onair', pid: child.pid!, rtmpUrl: (s) => `rtmp://127.0.0.1:${port}/live/${s}`, stop: () => stopChild(child, 6000),
    ...(heapShrunk ? { heapShrunk } : {}),
  };
}

/**
 * Resolves true once V8's memory reducer has shrunk the heap after start ("Mark-Compact (reduce)" lines in the
 * GC trace, then quiet), false on timeout. OnAir's embedded database leaves a large committed heap behind at
 * start; the reducer returns ~35 MB of it to the system about a minute later, which, inside a measurement
 * window, reads as negative memory per player.
 */
function watchHeapShrink(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    const give = setTimeout(() => resolve(false), HEAP_SHRINK_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (!text.includes('Mark-Compact (reduce)')) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => (clearTimeout(give), resolve(true)), HEAP_SHRINK_QUIET_MS);
    });
    child.once('exit', () => (clearTimeout(give), clearTimeout(quiet), resolve(false)));
  });
}

export function nginxRtmpAvailable(): boolean {
  return existsSync('/usr/sbin/nginx') && existsSync('/usr/lib/nginx/modules/ngx_rtmp_module.so');
}

/**
 * Writes an nginx-rtmp config under `dir` (one process, master off, listening on `port`, `application live { ... }`
 * with `application` inside) and returns the command line that runs it pinned to `cpu`.
 */
export function nginxRtmpCommand(dir: string, port: number, cpu: number, application: string): { cmd: string; args: string[] } {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), `
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 8192;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 8192; }
rtmp { server { listen 127.0.0.1:${port}; chunk_size 4096; application live { ${application} } } }
`);
  return { cmd: 'taskset', args: ['-c', String(cpu), '/usr/sbin/nginx', '-p', dir, '-e', `${dir}/logs/error.log`, '-c', join(dir, 'nginx.conf')] };
}

/** nginx-rtmp (Debian nginx + libnginx-mod-rtmp), one process (master off), pinned to `cpu`. */
export async function startNginxRtmp(cpu: number, port: number, workDir: string): Promise<BenchServer> {
  const { cmd, args } = nginxRtmpCommand(join(workDir, `nginx-${port}`), port, cpu, 'live on;');
  const child = startChild(cmd, args);
  await waitPort(port);
  return { name: 'nginx-rtmp', pid: child.pid!, rtmpUrl: (s) => `rtmp://127.0.0.1:${port}/live/${s}`, stop: () => stopChild(child, 6000) };
}

/** nginx-rtmp with `hls on` (MPEG-TS, 2 s fragments, 12 s playlist): the peer of the per-stream HLS comparison. */
export async function startNginxHls(cpu: number, port: number, workDir: string): Promise<BenchServer> {
  const dir = join(workDir, `nginx-hls-${port}`);
  mkdirSync(join(dir, 'hls'), { recursive: true });
  const { cmd, args } = nginxRtmpCommand(dir, port, cpu, `live on; hls on; hls_path ${dir}/hls; hls_fragment 2s; hls_playlist_length 12s;`);
  const child = startChild(cmd, args);
  await waitPort(port);
  return { name: 'nginx-hls', pid: child.pid!, rtmpUrl: (s) => `rtmp://127.0.0.1:${port}/live/${s}`, stop: () => stopChild(child, 6000) };
}
