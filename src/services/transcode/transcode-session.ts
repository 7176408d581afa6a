import type { Logger } from '../../core/logger.js';
import { monotonicMs } from '../../core/time.js';
import type { StreamHub } from '../../hub/index.js';
import { renditionPathOf } from '../streams/stream-types.js';
import { dropOrder } from './admission.js';
import { buildFfmpegArgs, type EncoderPreset } from './ffmpeg-args.js';
import { FfmpegJob } from './ffmpeg-job.js';
import type { PlannedRung } from './ladder.js';
import { RESTART_BACKOFF_INITIAL_MS, RESTART_BACKOFF_MAX_MS, RESTART_STABLE_MS } from './limits.js';
import type { SourceInfo } from './source-info.js';
import { SpeedMeter } from './speed-meter.js';
import type { PipeInput, RenditionOutput, TranscodePipes } from './transcode-pipes.js';
import type { TranscodeReason, TranscodeState } from './types.js';

/** The protocol name of rendition publishers and of the transcoder's subscription (hub stats, lifecycle filter). */
export const TRANSCODE_PROTOCOL = 'transcode';

export interface TranscodeSessionDeps {
  readonly hub: StreamHub;
  readonly pipes: TranscodePipes;
  readonly ffmpegPath: string;
  readonly encoder: EncoderPreset;
  readonly log: Logger;
  readonly sourcePath: string;
  readonly streamId: string | undefined;
  readonly source: SourceInfo;
  readonly rungs: readonly PlannedRung[];
  /** Something a status reader sees changed (state, renditions, speed). */
  readonly onChange: () => void;
}

/**
 * Supervises the one ffmpeg of one source stream: starts it, restarts it with exponential backoff when it
 * dies (the source keeps playing meanwhile), measures its speed and degrades (drops rungs, then gives up to
 * passthrough) when it cannot keep up. Rendition publishers live as long as the session, across restarts.
 */
export class TranscodeSession {
  state: TranscodeState = 'starting';
  reason: TranscodeReason | null = null;
  detail: string | null = null;
  restarts = 0;
  readonly dropped: string[] = [];
  private rungs: PlannedRung[];
  private readonly outputs = new Map<string, RenditionOutput>();
  private readonly live = new Set<string>();
  private job: FfmpegJob | undefined;
  private meter = new SpeedMeter();
  private backoff = RESTART_BACKOFF_INITIAL_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private stopped = false;

  constructor(private readonly deps: TranscodeSessionDeps) {
    this.rungs = [...deps.rungs];
  }

  /** Rungs currently encoded (highest first). */
  get activeRungs(): readonly PlannedRung[] {
    return this.rungs;
  }

  /** Rungs whose rendition has produced a frame (what a master playlist may list). */
  get liveRungs(): PlannedRung[] {
    return this.rungs.filter((r) => this.live.has(r.name));
  }

  get speed(): number | null {
    return this.meter.speed;
  }

  get pid(): number | undefined {
    return this.job?.pid;
  }

  start(): void {
    if (this.stopped || this.job) return;
    if (this.rungs.length === 0) return this.giveUp();
    const spec = { sourceFps: this.deps.source.fps, hasAudio: this.deps.source.audioCodec !== undefined, rungs: this.rungs, encoder: this.deps.encoder };
    const job = new FfmpegJob(this.deps.ffmpegPath, buildFfmpegArgs(spec), this.rungs.length, this.deps.log, {
      onProgress: (r) => this.onProgress(job, r.outTimeUs),
      onExit: (e) => this.onExit(job, e),
    });
    this.job = job;
    this.meter = new SpeedMeter();
    this.startedAt = monotonicMs();
    this.deps.log.info({ pid: job.pid, rungs: this.rungs.map((r) => r.name), encoder: this.deps.encoder }, 'transcode started');
    this.rungs.forEach((r, i) => {
      this.outputFor(r).attach(job.output(i), {
        width: r.width, height: r.height, framerate: r.fps, videodatarate: r.videoBitrateKbps, audiodatarate: r.audioBitrateKbps,
      });
    });
    // Last: the subscription replays the GOP cache into stdin at once.
    const input = this.deps.pipes.input(this.deps.hub, this.deps.sourcePath, job.stdin, {
      onClose: (reason) => {
        if (this.job !== job || this.stopped || job.stopRequested) return; // a stopping run: its drop is decided
        if (/slow/.test(reason)) this.degrade(`input over budget: ${reason}`);
        else void job.stop();
      },
    });
    this.inputClose = () => input.close();
    this.input = input;
    this.deps.onChange();
  }

  /** Stops ffmpeg and unpublishes every rendition. Resolves when the process is gone. Idempotent. */
  async stop(reason = 'source unpublished'): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.inputClose?.();
    for (const o of this.outputs.values()) o.close(reason);
    this.outputs.clear();
    this.live.clear();
    await this.job?.stop();
  }

  /** Test hook: what a crash looks like (SIGKILL to ffmpeg). */
  killForTest(): void {
    this.job?.kill('SIGKILL');
  }

  private inputClose: (() => void) | undefined;
  private input: PipeInput | undefined;

  /**
   * Source stream-timeline dts minus rendition dts for the current ffmpeg run: ffmpeg keeps its input's
   * timestamps (FLV ts 0 = the input's base), the output adds its run offset. Approximate by the encoder's
   * start shift (AAC priming, B-frame pts), so HLS snaps it onto the source's keyframes. Undefined until
   * both ends of the run have seen media.
   */
  timelineOffset(name: string): number | undefined {
    const base = this.input?.base;
    const run = this.outputs.get(name)?.runOffset;
    return base === undefined || run === undefined ? undefined : base - run;
  }

  private outputFor(r: PlannedRung): RenditionOutput {
    let out = this.outputs.get(r.name);
    if (!out) {
      const name = r.name;
      // Renditions are delivered like their source (same latency mode and reconnect window).
      const delivery = this.deps.hub.stream(this.deps.sourcePath)?.publisher?.info.delivery;
      out = this.deps.pipes.output(this.deps.hub, renditionPathOf(this.deps.sourcePath, name),
        { protocol: TRANSCODE_PROTOCOL, remoteAddress: 'ffmpeg', ...(this.deps.streamId ? { streamId: this.deps.streamId } : {}), ...(delivery ? { delivery } : {}) }, {
          onFirstFrame: () => {
            this.live.add(name);
            if (this.state === 'starting' && this.live.size === this.rungs.length) this.state = 'running';
            this.deps.onChange();
          },
          onError: (err) => this.deps.log.warn({ err, rendition: name }, 'rendition output failed'),
          onKick: (reason) => {
            this.deps.log.warn({ rendition: name, reason }, 'rendition path taken over; dropping the rendition');
            this.dropRung(name);
          },
        });
      this.outputs.set(r.name, out);
    }
    return out;
  }

  private onProgress(job: FfmpegJob, outTimeUs: number): void {
    // A run being stopped (a rung was just dropped) reports until it exits, at the speed of the ladder it had:
    // judging that again would drop the next rung, then all, for one slowness.
    if (job !== this.job || this.stopped || job.stopRequested) return;
    this.meter.add(outTimeUs, monotonicMs());
    if (this.meter.tooSlow) this.degrade(`encode speed ${this.meter.speed?.toFixed(2)}x`);
  }

  private onExit(job: FfmpegJob, e: { code: number | null; signal: NodeJS.Signals | null; error?: string; stopped: boolean }): void {
    if (job !== this.job) return;
    this.job = undefined;
    this.inputClose?.();
    this.inputClose = undefined;
    if (this.stopped || e.stopped && this.rungs.length === 0) return;
    if (!e.stopped) {
      this.deps.log.warn({ code: e.code, signal: e.signal, error: e.error }, 'ffmpeg exited unexpectedly');
      if (monotonicMs() - this.startedAt >= RESTART_STABLE_MS) this.backoff = RESTART_BACKOFF_INITIAL_MS;
      if (this.restarts >= 3 && this.backoff >= RESTART_BACKOFF_MAX_MS / 2) {
        this.reason = 'crash_loop';
        this.detail = `ffmpeg exited ${e.signal ?? e.code}; retrying every ${this.backoff / 1000} s`;
      }
    }
    this.restarts++;
    this.state = 'restarting';
    this.deps.onChange();
    const delay = e.stopped ? 0 : this.backoff; // a planned restart (degrade) goes at once
    if (!e.stopped) this.backoff = Math.min(this.backoff * 2, RESTART_BACKOFF_MAX_MS);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.state = this.live.size > 0 ? 'running' : 'starting';
      this.start();
    }, delay);
  }

  /** Drops the lowest-priority rung and restarts with the rest; with none left, passthrough. */
  private degrade(why: string): void {
    const victim = dropOrder(this.rungs)[0];
    if (!victim) return;
    this.deps.log.warn({ why, dropped: victim.name }, 'transcode cannot keep up: dropping a rung');
    this.reason = 'too_slow';
    this.detail = why;
    this.dropRung(victim.name);
  }

  private dropRung(name: string): void {
    this.rungs = this.rungs.filter((r) => r.name !== name);
    this.dropped.push(name);
    this.outputs.get(name)?.close('rendition dropped');
    this.outputs.delete(name);
    this.live.delete(name);
    if (this.rungs.length === 0) return this.giveUp();
    this.deps.onChange();
    void this.job?.stop(); // onExit restarts at once with the remaining rungs
  }

  private giveUp(): void {
    this.state = 'passthrough';
    this.reason ??= 'too_slow';
    this.deps.log.warn({ reason: this.reason, detail: this.detail }, 'transcoding given up: source only');
    void this.stop('transcoding stopped');
    this.deps.onChange();
  }
}
