import { OPUS_SAMPLE_RATE, opusHeadForChannelConfig, opusPacketSamples } from '../../codecs/opus/index.js';
import { AudioFrameClock, readAudioFrames, type AudioStep } from './audio-frames.js';
import type { ElementaryPes, EsOutput, EsReader } from './es-reader.js';
import { readOpusControlHeader } from './opus-control-header.js';

/**
 * Opus in MPEG-TS (the "OpusTS" mapping): each Opus packet in a PES follows its opus_control_header. The
 * config (OpusHead) comes from the PMT's channel config; the first packet's start trim is its pre-skip
 * (how ffmpeg's muxer signals it).
 */
export class OpusEsReader implements EsReader {
  private readonly clock = new AudioFrameClock();
  private configSent = false;

  constructor(private readonly channelConfig: number) {}

  push(pes: ElementaryPes, out: EsOutput): void {
    readAudioFrames(pes, out, this.clock, (data, at) => this.step(data, at, out));
  }

  private step(data: Buffer, at: number, out: EsOutput): AudioStep {
    const h = readOpusControlHeader(data, at);
    const end = h.payloadAt + h.size;
    const samples = opusPacketSamples(data.subarray(h.payloadAt, end));
    if (!this.configSent) {
      out.config(opusHeadForChannelConfig(this.channelConfig, h.startTrim));
      this.configSent = true;
    }
    return { kind: 'frame', start: h.payloadAt, end, samples, sampleRate: OPUS_SAMPLE_RATE };
  }
}
