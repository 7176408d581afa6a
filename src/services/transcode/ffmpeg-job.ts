import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../core/logger.js';
import { monotonicMs } from '../../core/time.js';
import { FIRST_OUTPUT_FD } from './ffmpeg-args.js';
import { LineSplitter } from './line-splitter.js';
import { STDERR_LINES_PER_MINUTE, STOP_GRACE_MS, STOP_KILL_MS } from './limits.js';
import { ProgressParser, type ProgressReport } from './progress-parser.js';

export interface FfmpegJobHooks {
  onProgress(r: ProgressReport): void;
  /** The process is gone (exited, killed, or never started). Called once. */
  onExit(info: { code: number | null; signal: NodeJS.Signals | null; error?: string; stopped: boolean }): void;
}

/**
 * One ffmpeg process: stdin takes FLV, stdout carries -progress, stderr is logged (throttled), fds 3.. are
 * the rendition outputs. Orphan-proof by construction: ffmpeg reads its input from our pipe, so if this
 * process dies (even SIGKILL) the pipe closes, ffmpeg reads EOF, flushes and exits; its output pipes are
 * then broken too. No shell, no detached process group.
 */
export class FfmpegJob {
  private readonly child: ChildProcess;
  private stopping = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private logWindowStart = monotonicMs();
  private logLines = 0;
  private suppressed = 0;

  constructor(ffmpegPath: string, args: readonly string[], outputs: number, private readonly log: Logger, hooks: FfmpegJobHooks) {
    const stdio: ('pipe')[] = ['pipe', 'pipe', 'pipe', ...Array.from({ length: outputs }, () => 'pipe' as const)];
    this.child = spawn(ffmpegPath, args, { stdio, windowsHide: true });
    let spawnError: string | undefined;
    this.exitPromise = new Promise((resolve) => {
      this.child.on('error', (err) => {
        spawnError = err.message;
        // A failed spawn emits no 'close' when no stdio was ever opened; settle here for that case.
        if (this.child.pid === undefined) finish(null, null);
      });
      this.child.on('close', (code, signal) => finish(code, signal));
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.exited) return;
        this.exited = true;
        clearTimeout(this.termTimer);
        clearTimeout(this.killTimer);
        if (this.suppressed > 0) this.log.warn({ suppressed: this.suppressed }, 'ffmpeg log lines suppressed');
        hooks.onExit({ code, signal, stopped: this.stopping, ...(spawnError ? { error: spawnError } : {}) });
        resolve();
      };
    });
    const progress = new ProgressParser();
    this.child.stdout!.on('data', (b: Buffer) => progress.push(b).forEach((r) => hooks.onProgress(r)));
    const lines = new LineSplitter();
    this.child.stderr!.on('data', (b: Buffer) => lines.push(b).forEach((l) => this.logLine(l)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** stop() was called: the process is flushing or being ended; what it reports now is its last. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  get stdin(): Writable {
    return this.child.stdin!;
  }

  /** The readable end of output `i` (fd FIRST_OUTPUT_FD + i). */
  output(i: number): Readable {
    return this.child.stdio[FIRST_OUTPUT_FD + i] as Readable;
  }

  /**
   * Ends the process: stdin EOF first (ffmpeg flushes and exits by itself), SIGTERM after a grace, SIGKILL
   * after that. Resolves when it is gone. Idempotent.
   */
  stop(): Promise<void> {
    if (!this.stopping && !this.exited) {
      this.stopping = true;
      this.child.stdin?.end();
      this.termTimer = setTimeout(() => {
        this.child.kill('SIGTERM');
        this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_KILL_MS);
      }, STOP_GRACE_MS);
    }
    return this.exitPromise;
  }

  /** For tests and the crash path: kill without the graceful steps. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal);
  }

  private termTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  private logLine(line: string): void {
    const now = monotonicMs();
    if (now - this.logWindowStart >= 60_000) {
      if (this.suppressed > 0) this.log.warn({ suppressed: this.suppressed }, 'ffmpeg log lines suppressed');
      this.logWindowStart = now;
      this.logLines = 0;
      this.suppressed = 0;
    }
    if (this.logLines >= STDERR_LINES_PER_MINUTE) {
      this.suppressed++;
      return;
    }
    this.logLines++;
    this.log.warn({ ffmpeg: line }, 'ffmpeg');
  }
}
