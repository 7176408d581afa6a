import { OnAirError, isOnAirError } from '../../core/errors.js';
import { OPUS_SAMPLE_RATE, opusHeadForChannelConfig, opusPacketSamples } from '../../codecs/opus/index.js';
import { AudioFrameClock } from './audio-frame-clock.js';
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
    if (!this.clock.start(pes, out)) return;
    const data = pes.data;
    let own: Buffer | undefined;
    let at = 0;
    while (at < data.length) {
      const h = readOpusControlHeader(data, at);
      if (h instanceof OnAirError) {
        out.error(h);
        return;
      }
      const au = data.subarray(h.payloadAt, h.payloadAt + h.size);
      let samples: number;
      try {
        samples = opusPacketSamples(au);
        if (!this.configSent) {
          out.config(opusHeadForChannelConfig(this.channelConfig, h.startTrim));
          this.configSent = true;
        }
      } catch (err) {
        if (!isOnAirError(err)) throw err;
        out.error(err);
        return;
      }
      own ??= Buffer.from(data);
      const pts = this.clock.take(samples, OPUS_SAMPLE_RATE);
      out.frame(pts, pts, true, own.subarray(h.payloadAt, h.payloadAt + h.size));
      at = h.payloadAt + h.size;
    }
  }
}
