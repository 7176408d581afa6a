import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { startChild, stopChild } from './children.js';
import { NGINX_BIN, nginxArgs, nginxTempPaths, writeNginxRtmpConfig } from '../../support/nginx-rtmp.js';

export interface BenchServer {
  readonly name: string;
  readonly pid: number;
  /** Every process whose CPU and memory count as this server's (default: [pid]); a system of two has two. */
  readonly pids?: readonly number[];
  readonly rtmpUrl: (stream: string) => string;
  /** OnAir with inspectGc: a full garbage collection in the server, then its memory usage. */
  collectGarbage?(): Promise<ServerMemory>;
  /** OnAir with inspectGc: V8's sampling CPU profile of the server over the next `seconds`, one sample per `intervalUs`. */
  cpuProfile?(seconds: number, intervalUs: number): Promise<CpuProfile>;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

/**
 * How long a server may take to listen: a fresh OnAir sets up its embedded database first, which took over 30 s on
 * the shared test VM under load.
 */
const LISTEN_TIMEOUT_MS = 90_000;

export async function waitPort(port: number, timeoutMs = LISTEN_TIMEOUT_MS): Promise<void> {
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

/** Waits for `child` to listen on `port`; one that never does is stopped: it must not outlive the attempt (nor write into a removed dir). */
async function untilListening(child: ChildProcess, port: number, timeoutMs?: number): Promise<void> {
  try {
    await waitPort(port, timeoutMs);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/**
 * Waits for an HTTP answer (any status) on `port`; a server that never answers is stopped. Why not the RTMP port
 * alone: OnAir's start-up port check binds every port it will use and releases it (src/servers/net/port-preflight.ts),
 * and a connect in that moment succeeds, so a publisher started then found the port closed. The HTTP server listens
 * after the RTMP server, and the check's socket never answers HTTP.
 */
async function untilAnswering(child: ChildProcess, port: number, timeoutMs = LISTEN_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    if (res) {
      await res.arrayBuffer();
      return;
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`http://127.0.0.1:${port}/healthz never answered`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Builds dist/: benchmarks measure the build users run (`npm start`), not the sources through a loader. */
export function buildOnAir(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}

// BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=bench/out/prof") profiles the server under load.
export const benchNodeArgs = (): string[] => (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

export interface OnAirBenchOptions {
  /** OnAir flags after the bench's own (auth open, loopback, ports, data dir, log level warn). */
  readonly args?: readonly string[];
  readonly name?: string;
  /** Flags for node before the script; default BENCH_NODE_ARGS. */
  readonly nodeArgs?: readonly string[];
  /**
   * Open node's inspector on loopback (port + 2) so the bench can run a full collection in the server
   * (BenchServer.collectGarbage) before reading its RSS: memory per player then counts what players hold, not
   * the dead media buffers that happen to be waiting for the next collection.
   */
  readonly inspectGc?: boolean;
  /** How long to wait for the RTMP port (default LISTEN_TIMEOUT_MS; the first start on a fresh data dir creates the database). */
  readonly startTimeoutMs?: number;
  /** CPU list for taskset instead of `cpu` (`--workers` runs spread over several cores: "0,1"). */
  readonly cpus?: string;
  /** HTTP port (default port + 1; a server behind a front listens elsewhere and the front takes port + 1). */
  readonly httpPort?: number;
}

/** OnAir from dist/ (built by the caller, buildOnAir), pinned to `cpu`. */
export async function startOnAir(cpu: number, port: number, workDir: string, options: OnAirBenchOptions = {}): Promise<BenchServer> {
  const dataDir = join(workDir, `onair-data-${port}`);
  mkdirSync(dataDir, { recursive: true });
  const inspectPort = port + 2;
  const nodeArgs = [...(options.nodeArgs ?? benchNodeArgs()), ...(options.inspectGc ? [`--inspect=127.0.0.1:${inspectPort}`] : [])];
  // OnAir's log (stdout) goes to a file: shown only if the server ends before the bench stops it.
  const logFile = join(dataDir, 'stdout.log');
  const out = openSync(logFile, 'w');
  const child = startChild('taskset', ['-c', options.cpus ?? String(cpu), process.execPath, ...nodeArgs, join(root, 'dist/main.js'), '--auth', 'open', '--host', '127.0.0.1',
    // SRT off unless a bench asks for it: several servers at once would all want UDP 9000.
    '--rtmp-port', String(port), '--http-port', String(options.httpPort ?? port + 1), '--data-dir', dataDir, '--log-level', 'warn', '--srt-port', '0', ...(options.args ?? [])],
  ['ignore', out, options.inspectGc ? 'pipe' : 'inherit']);
  closeSync(out);
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`bench: ${options.name ?? 'onair'} (port ${port}) exited by itself (${signal ?? `code ${code}`})${errorLines(logFile)}`);
  });
  if (options.inspectGc) forwardStderrWithoutInspectorNotes(child);
  await untilListening(child, port, options.startTimeoutMs);
  await untilAnswering(child, options.httpPort ?? port + 1, options.startTimeoutMs);
  return {
    name: options.name ?? 'onair', pid: child.pid!, rtmpUrl: (s) => `rtmp://127.0.0.1:${port}/live/${s}`,
    stop: () => {
      stopping = true;
      return stopChild(child, 6000);
    },
    ...(options.inspectGc ? {
      collectGarbage: () => inspectorCollectGarbage(inspectPort),
      cpuProfile: (seconds: number, intervalUs: number) => inspectorCpuProfile(inspectPort, seconds, intervalUs),
    } : {}),
  };
}

/** The error and fatal lines of a pino log (JSON lines, level >= 50), each on a line of its own; '' when none. */
function errorLines(file: string): string {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((o.level ?? 0) >= 50) lines.push(`\n  ${o.msg ?? ''}${o.err?.message ? `: ${o.err.message}` : ''}`);
    } catch {
      // not a log line
    }
  }
  return lines.join('');
}

/** The inspector announces itself on stderr ("Debugger listening on ...", "Debugger attached."): not news. */
function forwardStderrWithoutInspectorNotes(child: ChildProcess): void {
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!/^(Debugger listening on|For help, see|Debugger attached|Debugger ending|Waiting for the debugger)/.test(line)) console.error(line);
  });
}

/** What the server's process.memoryUsage() said right after a full collection. */
export interface ServerMemory {
  readonly rss: number;
  readonly heapUsed: number;
  /** Bytes of ArrayBuffer/Buffer backing stores (media payloads, socket queues). */
  readonly arrayBuffers: number;
}

/** A V8 CPU profile (the inspector's Profiler.stop result): call-tree nodes and which node each sample hit. */
export interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  readonly samples: readonly number[];
}

type InspectorCall = (method: string, params?: object) => Promise<unknown>;

/** Runs `use` over one inspector session of the node process whose inspector listens on `port`. */
async function withInspector<T>(port: number, use: (call: InspectorCall) => Promise<T>): Promise<T> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const call: InspectorCall = (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    calls.set(id, { resolve, reject });
    socket.send(JSON.stringify({ id, method, params }));
  });
  socket.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const pending = reply.id === undefined ? undefined : calls.get(reply.id);
    if (!pending) return;
    calls.delete(reply.id!);
    if (reply.error) pending.reject(new Error(reply.error.message));
    else pending.resolve(reply.result);
  });
  await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
  try {
    return await use(call);
  } finally {
    socket.close();
  }
}

/**
 * One full collection in the server through the inspector protocol (HeapProfiler.collectGarbage), then its
 * process.memoryUsage() (Runtime.evaluate): where its memory is, live objects only.
 */
function inspectorCollectGarbage(port: number): Promise<ServerMemory> {
  return withInspector(port, async (call) => {
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }) as { result: { value: string } };
    return JSON.parse(r.result.value) as ServerMemory;
  });
}

/** Profiler.start, `seconds` later Profiler.stop: the server's CPU profile over that span only (not its start-up). */
function inspectorCpuProfile(port: number, seconds: number, intervalUs: number): Promise<CpuProfile> {
  return withInspector(port, async (call) => {
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: intervalUs });
    await call('Profiler.start');
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const r = await call('Profiler.stop') as { profile: CpuProfile };
    await call('Profiler.disable');
    return r.profile;
  });
}

export { nginxRtmpAvailable } from '../../support/nginx-rtmp.js';

/**
 * Writes an nginx-rtmp config under `dir` (one process, master off, listening on `port`, `application live { ... }`
 * with `application` inside, and `http`, if given, as its http block) and returns the command line that runs it
 * pinned to `cpu`.
 */
export function nginxRtmpCommand(dir: string, port: number, cpu: number, application: string, http = ''): { cmd: string; args: string[] } {
  writeNginxRtmpConfig(dir, port, application, { http });
  return { cmd: 'taskset', args: ['-c', String(cpu), NGINX_BIN, ...nginxArgs(dir)] };
}

/**
 * The `application live` body of nginx-rtmp with `hls on` (MPEG-TS, 2 s fragments, 12 s playlist) writing under
 * `dir`, created here: the peer of the per-stream HLS comparison.
 */
export function nginxHlsApplication(dir: string): string {
  mkdirSync(join(dir, 'hls'), { recursive: true });
  return `live on; hls on; hls_path ${dir}/hls; hls_fragment 2s; hls_playlist_length 12s;`;
}

async function startNginx(name: string, dir: string, cpu: number, port: number, application: string, http = ''): Promise<BenchServer> {
  const { cmd, args } = nginxRtmpCommand(dir, port, cpu, application, http);
  const child = startChild(cmd, args);
  await untilListening(child, port);
  return { name, pid: child.pid!, rtmpUrl: (s) => `rtmp://127.0.0.1:${port}/live/${s}`, stop: () => stopChild(child, 6000) };
}

/** nginx-rtmp (Debian nginx + libnginx-mod-rtmp), one process (master off), pinned to `cpu`. */
export function startNginxRtmp(cpu: number, port: number, workDir: string): Promise<BenchServer> {
  return startNginx('nginx-rtmp', join(workDir, `nginx-${port}`), cpu, port, 'live on;');
}

/** nginx-rtmp with `hls on` (nginxHlsApplication). */
export function startNginxHls(cpu: number, port: number, workDir: string): Promise<BenchServer> {
  const dir = join(workDir, `nginx-hls-${port}`);
  return startNginx('nginx-hls', dir, cpu, port, nginxHlsApplication(dir));
}

/**
 * The http block that serves nginx-rtmp's HLS files under `dir`/hls at http://127.0.0.1:`httpPort`/hls/ as a user
 * would set it up (sendfile, keep-alive, no access log: OnAir logs no requests either), and /healthz.
 */
function nginxHlsHttp(dir: string, httpPort: number): string {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const temp = nginxTempPaths(`${dir}/tmp`);
  return `http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65s; keepalive_requests 1000000;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; } default_type application/octet-stream;
  ${temp}
  server {
    listen 127.0.0.1:${httpPort};
    location /hls/ {
      root ${dir}; add_header Cache-Control no-cache;
      # As the cache front has it (support/nginx-hls-cache.ts), for fragments only: nginx-rtmp writes a fragment
      # once, but replaces the playlist, which a cached descriptor would serve stale.
      location ~ \\.ts$ { open_file_cache max=10000 inactive=30s; }
    }
    location = /healthz { return 200 "ok\n"; }
  }
}`;
}

/**
 * nginx-rtmp with `hls on` (nginxHlsApplication) and nginx serving its files over HTTP on `port + 1` (nginxHlsHttp),
 * in one process: the peer of the HLS viewer benchmark; its CPU is ingest, packaging and serving, as OnAir's is.
 */
export function startNginxHlsServing(cpu: number, port: number, workDir: string): Promise<BenchServer> {
  const dir = join(workDir, `nginx-hls-http-${port}`);
  return startNginx('nginx-hls', dir, cpu, port, nginxHlsApplication(dir), nginxHlsHttp(dir, port + 1));
}
