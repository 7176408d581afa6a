import { OnAirError, isOnAirError } from '../../core/errors.js';
import { takeAll } from '../../core/scratch-list.js';
import { AdtsEsReader } from './adts-es-reader.js';
import type { EsOutput, EsReader } from './es-reader.js';
import { MAX_DEMUX_AUDIO_PES_BYTES, MAX_DEMUX_VIDEO_PES_BYTES, PID_NULL, PID_PAT } from './limits.js';
import { MpegAudioEsReader } from './mpeg-audio-es-reader.js';
import { OpusEsReader } from './opus-es-reader.js';
import { TsPacketFramer } from './packet-framer.js';
import { PesAssembler } from './pes-assembler.js';
import { readPesHeader } from './pes.js';
import { type Pmt, parsePat, parsePmt } from './psi-read.js';
import { SectionAssembler } from './section-assembler.js';
import { type TsTrack, sameTrack, trackOf } from './stream-types.js';
import { TimestampUnwrapper } from './timestamp-unwrapper.js';
import { emptyTsPacketHeader, readTsPacketHeader, type TsPacketHeader } from './ts-packet.js';
import { H264_RULES, H265_RULES, VideoEsReader } from './video-es-reader.js';

/** What the demuxer found; timestamps are 90 kHz on one unbounded timeline (33-bit wraps unfolded). */
export type TsDemuxEvent =
  /** The program's PMT (re)defined its streams: the tracks read (first video, first audio) and those skipped. */
  | { readonly type: 'tracks'; readonly tracks: readonly TsTrack[]; readonly skipped: readonly { pid: number; streamType: number }[] }
  /**
   * A track's decoder configuration (avcC, hvcC, AudioSpecificConfig, OpusHead), before the frames it applies
   * to; `dts` is the time of the PES that carried it (undefined when that PES had no timestamp).
   */
  | { readonly type: 'config'; readonly track: TsTrack; readonly config: Buffer; readonly dts: number | undefined }
  | { readonly type: 'frame'; readonly track: TsTrack; readonly dts: number; readonly pts: number; readonly keyframe: boolean; readonly data: Buffer }
  | { readonly type: 'error'; readonly error: OnAirError; readonly pid?: number };

export interface TsDemuxerStats {
  /** Transport packets read. */
  packets: number;
  /** Continuity counter gaps (lost packets) on the PIDs read; the PES they hit is dropped. */
  ccErrors: number;
  /** Times sync was lost (or the stream started off a packet boundary) and searched for again. */
  resyncs: number;
  /** Bytes skipped while searching for sync. */
  droppedBytes: number;
  /** Packets flagged by transport_error_indicator, skipped. */
  transportErrors: number;
  /** Errors reported (every 'error' event), of any kind. */
  errors: number;
  /** Video access units dropped while no decoder config was known (a stream joined mid-GOP). */
  framesBeforeConfig: number;
  /** 33-bit timestamp wraps crossed. */
  timestampWraps: number;
}

interface StreamState {
  readonly track: TsTrack;
  readonly pes: PesAssembler;
  readonly reader: EsReader;
  lastCc: number | undefined;
}

/** A PSI PID (PAT or the program's PMT): its sections and continuity. */
interface PsiPid {
  readonly sections: SectionAssembler;
  lastCc: number | undefined;
  readonly onSection: (section: Buffer) => void;
}

type CcVerdict = 'ok' | 'duplicate' | 'gap';

/**
 * Incremental, bounded MPEG-TS demuxer (ISO/IEC 13818-1), sans-IO: `push` takes bytes in any split and
 * returns what they completed; `flush` ends the input. Reads the first program of the PAT and, of its PMT,
 * the first video and the first audio stream it knows (H.264, H.265, ADTS AAC, MPEG audio, Opus): one of
 * each is what the hub carries, and reading no more bounds the buffered bytes to one video and one audio
 * PES (MAX_DEMUX_*_PES_BYTES). PSI sections are CRC-checked; a PMT change swaps the tracks; continuity
 * gaps drop the PES they hit. PCR is not used for timing. Never throws for any input: problems are
 * 'error' events with a typed OnAirError, and counted.
 */
export class TsDemuxer {
  private readonly framer = new TsPacketFramer();
  private readonly header: TsPacketHeader = emptyTsPacketHeader();
  private readonly counters = { ccErrors: 0, transportErrors: 0, errors: 0, framesBeforeConfig: 0 };
  private readonly pat = this.psiPid((s) => this.onPat(s));
  private program: { number: number; pmtPid: number } | undefined;
  private pmt: PsiPid = this.psiPid((s) => this.onPmt(s));
  private pmtSeen: Pmt | undefined;
  private readonly streams = new Map<number, StreamState>();
  private readonly unwrapper = new TimestampUnwrapper();
  private readonly events: TsDemuxEvent[] = [];
  private readonly onPacket = (buf: Buffer, at: number): void => this.packet(buf, at);

  get stats(): TsDemuxerStats {
    let framesBeforeConfig = this.counters.framesBeforeConfig;
    for (const s of this.streams.values()) if (s.reader instanceof VideoEsReader) framesBeforeConfig += s.reader.framesBeforeConfig;
    return {
      ...this.framer.stats, ccErrors: this.counters.ccErrors, transportErrors: this.counters.transportErrors,
      errors: this.counters.errors, framesBeforeConfig, timestampWraps: this.unwrapper.wraps,
    };
  }

  /**
   * Bytes held between pushes: a partial packet and the PES packets in assembly (PSI sections add at most
   * 2 x MAX_PSI_SECTION_BYTES, preallocated). Bounded by one packet + MAX_DEMUX_VIDEO_PES_BYTES + MAX_DEMUX_AUDIO_PES_BYTES.
   */
  get bufferedBytes(): number {
    let n = this.framer.bufferedBytes;
    for (const s of this.streams.values()) n += s.pes.pendingBytes;
    return n;
  }

  /** The tracks currently read. */
  get tracks(): readonly TsTrack[] {
    return [...this.streams.values()].map((s) => s.track);
  }

  push(bytes: Buffer): readonly TsDemuxEvent[] {
    this.framer.push(bytes, this.onPacket);
    return takeAll(this.events);
  }

  /** End of input: PES packets that end only at the next unit start (unbounded video) are complete now. */
  flush(): readonly TsDemuxEvent[] {
    this.framer.flush(this.onPacket);
    for (const s of this.streams.values()) s.pes.flush();
    return takeAll(this.events);
  }

  private packet(buf: Buffer, at: number): void {
    const h = this.header;
    try {
      readTsPacketHeader(buf, at, h);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (h.transportError) {
      this.counters.transportErrors++;
      return;
    }
    if (h.pid === PID_NULL) return;
    if (h.pid === PID_PAT) return this.psiPacket(this.pat, buf, at);
    if (h.pid === this.program?.pmtPid) return this.psiPacket(this.pmt, buf, at);
    const s = this.streams.get(h.pid);
    if (!s) return;
    const v = this.continuity(s.lastCc, h);
    s.lastCc = h.cc;
    if (v === 'gap') s.pes.drop();
    if (!h.hasPayload || v === 'duplicate') return;
    s.pes.push(buf, at + h.payloadOffset, at + 188, h.pusi);
  }

  private psiPid(onSection: (section: Buffer) => void): PsiPid {
    return { sections: new SectionAssembler(), lastCc: undefined, onSection };
  }

  private psiPacket(psi: PsiPid, buf: Buffer, at: number): void {
    const h = this.header;
    const v = this.continuity(psi.lastCc, h);
    psi.lastCc = h.cc;
    if (v === 'gap') psi.sections.reset();
    if (h.hasPayload && v !== 'duplicate') {
      psi.sections.push(buf.subarray(at + h.payloadOffset, at + 188), h.pusi, psi.onSection, (e) => this.fail(e, h.pid));
    }
  }

  /**
   * §2.4.3.3: the counter steps by one on each packet with payload; a packet may be sent twice (same counter,
   * the copy is discarded); the discontinuity_indicator allows a jump. Anything else lost packets.
   */
  private continuity(last: number | undefined, h: TsPacketHeader): CcVerdict {
    if (last === undefined || h.discontinuity) return 'ok';
    if (!h.hasPayload) return h.cc === last ? 'ok' : 'gap';
    if (h.cc === ((last + 1) & 0x0f)) return 'ok';
    if (h.cc === last) return 'duplicate';
    this.counters.ccErrors++;
    this.fail(new OnAirError('ONAIR_ERR_MALFORMED', `continuity counter ${last} -> ${h.cc} on PID ${h.pid}`), h.pid);
    return 'gap';
  }

  private onPat(section: Buffer): void {
    let pat;
    try {
      pat = parsePat(section);
    } catch (err) {
      this.fail(err, PID_PAT);
      return;
    }
    const first = pat.programs[0];
    if (!pat.currentNext || !first) return;
    if (this.program?.number === first.programNumber && this.program.pmtPid === first.pmtPid) return;
    // A new program (or its PMT moved): read the new PMT from its start; tracks stay until it arrives.
    this.program = { number: first.programNumber, pmtPid: first.pmtPid };
    this.pmt = this.psiPid((s) => this.onPmt(s));
    this.pmtSeen = undefined;
  }

  private onPmt(section: Buffer): void {
    let pmt;
    try {
      pmt = parsePmt(section);
    } catch (err) {
      this.fail(err, this.program?.pmtPid);
      return;
    }
    if (!pmt.currentNext || pmt.programNumber !== this.program?.number) return;
    if (this.pmtSeen && this.pmtSeen.version === pmt.version && sameStreams(this.pmtSeen, pmt)) return;
    this.pmtSeen = pmt;
    const tracks: TsTrack[] = [];
    const skipped: { pid: number; streamType: number }[] = [];
    for (const es of pmt.streams) {
      const t = trackOf(es);
      const reserved = es.pid === PID_PAT || es.pid === PID_NULL || es.pid === this.program.pmtPid;
      if (!t || reserved || tracks.some((x) => x.kind === t.kind || x.pid === t.pid)) skipped.push({ pid: es.pid, streamType: es.streamType });
      else tracks.push(t);
    }
    const previous = new Map(this.streams);
    this.streams.clear();
    for (const t of tracks) {
      const old = previous.get(t.pid);
      this.streams.set(t.pid, old && sameTrack(old.track, t) ? old : this.newStream(t));
    }
    for (const [pid, old] of previous) {
      if (this.streams.get(pid) !== old && old.reader instanceof VideoEsReader) this.counters.framesBeforeConfig += old.reader.framesBeforeConfig;
    }
    this.events.push({ type: 'tracks', tracks, skipped });
  }

  private onPes(s: StreamState, pes: Buffer): void {
    let h;
    try {
      h = readPesHeader(pes);
    } catch (err) {
      this.fail(err, s.track.pid);
      return;
    }
    if (h.pts === undefined && h.dts === undefined && h.payloadOffset === 6) return; // padding and other header-less PES
    const pts = h.pts === undefined ? undefined : this.unwrapper.unwrap(h.pts);
    const dts = h.dts === undefined ? undefined : this.unwrapper.unwrap(h.dts);
    const track = s.track;
    const out: EsOutput = {
      config: (config) => this.events.push({ type: 'config', track, config, dts: dts ?? pts }),
      frame: (dts, pts, keyframe, data) => this.events.push({ type: 'frame', track, dts, pts, keyframe, data }),
      error: (e) => this.fail(e, track.pid),
    };
    try {
      s.reader.push({ pts, dts, data: pes.subarray(h.payloadOffset) }, out);
    } catch (err) {
      this.fail(err, track.pid);
    }
  }

  private newStream(track: TsTrack): StreamState {
    const video = track.kind === 'video';
    const s: StreamState = {
      track,
      pes: new PesAssembler(video ? MAX_DEMUX_VIDEO_PES_BYTES : MAX_DEMUX_AUDIO_PES_BYTES, (pes) => this.onPes(s, pes), (e) => this.fail(e, track.pid)),
      reader: readerFor(track),
      lastCc: undefined,
    };
    return s;
  }

  /** Reports a typed error as an event; anything else is a bug and propagates. */
  private fail(err: unknown, pid?: number): void {
    if (!isOnAirError(err)) throw err;
    this.counters.errors++;
    this.events.push(pid === undefined ? { type: 'error', error: err } : { type: 'error', error: err, pid });
  }
}

function readerFor(track: TsTrack): EsReader {
  switch (track.codec) {
    case 'avc1':
      return new VideoEsReader(H264_RULES);
    case 'hvc1':
      return new VideoEsReader(H265_RULES);
    case 'mp4a':
      return new AdtsEsReader();
    case '.mp3':
      return new MpegAudioEsReader();
    case 'Opus':
      return new OpusEsReader(track.opusChannelConfig ?? 2);
  }
}

function sameStreams(a: Pmt, b: Pmt): boolean {
  return a.streams.length === b.streams.length && a.streams.every((s, i) => {
    const o = b.streams[i]!;
    return s.pid === o.pid && s.streamType === o.streamType && s.descriptors.length === o.descriptors.length
      && s.descriptors.every((d, k) => d.tag === o.descriptors[k]!.tag && d.data.equals(o.descriptors[k]!.data));
  });
}
