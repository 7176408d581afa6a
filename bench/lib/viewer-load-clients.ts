/**
 * The two load clients of bench/hls-viewers.ts behind one interface: the HTTP viewer client
 * (bench/lib/http-viewers.ts) and the RTMP players of bench/lib/load-generator.ts, each its own process on `cpu`.
 */
import type { StartCommand, WindowReport } from './http/viewers-protocol.js';
import { sleep } from './children.js';
import { KEEP_UP_SHARE } from './http/limits.js';
import { IpcChild } from './ipc-child.js';

/** What one window delivered, as either client counts it. */
export interface LoadWindow {
  readonly seconds: number;
  /** Body bytes of 200 answers (media and playlists), or RTMP message payload bytes. */
  readonly deliveredBytes: number;
  readonly keptUp: number;
  /** HTTP requests (null for RTMP players). */
  readonly requests: number | null;
  readonly http?: WindowReport;
}

export interface LoadClient {
  /** The load process's pid, for its own CPU time. */
  readonly pid: number;
  /** Starts the viewers; resolves once all of them have started. */
  start(): Promise<void>;
  /** A measuring window of `seconds` from now. */
  window(seconds: number): Promise<LoadWindow>;
  stop(): Promise<void>;
}

/** A load process driven over IPC with window-start / window-end commands (both load processes speak them). */
abstract class IpcLoadClient implements LoadClient {
  protected readonly child: IpcChild;
  private readonly ready: Promise<unknown>;

  constructor(script: string, cpu: number) {
    this.child = new IpcChild(script, cpu);
    this.ready = this.child.expect('ready');
  }

  get pid(): number {
    return this.child.pid;
  }

  async start(): Promise<void> {
    await this.ready;
    await this.startViewers();
  }

  async window(seconds: number): Promise<LoadWindow> {
    await this.child.ask({ type: 'window-start' }, 'window-started');
    await sleep(seconds * 1000);
    return this.windowOf(await this.child.ask<Record<string, unknown>>({ type: 'window-end' }, 'window'));
  }

  stop(): Promise<void> {
    return this.child.stop();
  }

  protected abstract startViewers(): Promise<void>;
  /** The load process's `window` message as a LoadWindow. */
  protected abstract windowOf(message: Record<string, unknown>): LoadWindow;
}

export class HttpViewerClient extends IpcLoadClient {
  constructor(cpu: number, private readonly command: Omit<StartCommand, 'type'>) {
    super('bench/lib/http-viewers.ts', cpu);
  }

  protected async startViewers(): Promise<void> {
    await this.child.ask({ type: 'start', ...this.command }, 'started');
  }

  protected windowOf(message: Record<string, unknown>): LoadWindow {
    const report = message.report as WindowReport;
    const t = report.totals;
    return { seconds: report.seconds, deliveredBytes: t.mediaBytes + t.playlistBytes, keptUp: report.perViewer.keptUp.filter(Boolean).length, requests: t.requests, http: report };
  }
}

/** RTMP players (OnAir's RTMP client, eager readers); keeping up is judged against the published clip's rate. */
export class RtmpPlayerClient extends IpcLoadClient {
  constructor(cpu: number, private readonly url: string, private readonly players: number, private readonly clipBytesPerSec: number) {
    super('bench/lib/load-generator.ts', cpu);
  }

  protected async startViewers(): Promise<void> {
    await this.child.ask({ type: 'players', url: this.url, count: this.players, probes: 0 }, 'players-ready');
  }

  protected windowOf(message: Record<string, unknown>): LoadWindow {
    const w = message as { seconds: number; received: number[] };
    const keptUp = w.received.filter((r) => r >= KEEP_UP_SHARE * this.clipBytesPerSec * w.seconds).length;
    return { seconds: w.seconds, deliveredBytes: w.received.reduce((a, b) => a + b, 0), keptUp, requests: null };
  }
}
