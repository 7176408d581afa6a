import { OnAirError, isOnAirError } from '../../core/errors.js';
import { buildAudioSpecificConfig } from '../../codecs/index.js';
import { isAdtsSync, readAdtsHeader } from '../../codecs/aac/adts-reader.js';
import { AudioFrameClock } from './audio-frame-clock.js';
import type { ElementaryPes, EsOutput, EsReader } from './es-reader.js';

/** AAC core frames are 1024 samples (ISO/IEC 14496-3 §4.5.1.1). */
const AAC_FRAME_SAMPLES = 1024;

/**
 * AAC in ADTS (stream_type 0x0F, ISO/IEC 13818-7): a PES holds one or more ADTS frames. Each becomes a raw
 * AAC frame (header stripped) with its own timestamp; the header's profile, rate and channels become an
 * AudioSpecificConfig, emitted when they change. Bytes that are not a frame are skipped to the next
 * syncword and reported; a frame cut by the PES end is dropped (muxers do not split ADTS frames).
 */
export class AdtsEsReader implements EsReader {
  private readonly clock = new AudioFrameClock();
  private configKey = -1;
  private sampleRate = 0;

  push(pes: ElementaryPes, out: EsOutput): void {
    if (!this.clock.start(pes, out)) return;
    const data = pes.data;
    let own: Buffer | undefined; // one copy of the PES payload; frames are views of it
    let at = 0;
    while (at < data.length) {
      if (!isAdtsSync(data, at)) {
        const next = nextSync(data, at + 1);
        out.error(new OnAirError('ONAIR_ERR_MALFORMED', `${next - at} bytes that are not ADTS skipped`));
        at = next;
        continue;
      }
      let h;
      try {
        h = readAdtsHeader(data, at);
      } catch (err) {
        if (!isOnAirError(err)) throw err;
        out.error(err);
        return;
      }
      if (at + h.frameLength > data.length) {
        out.error(new OnAirError('ONAIR_ERR_TRUNCATED', `ADTS frame of ${h.frameLength} bytes cut at the PES end`));
        return;
      }
      if (h.rawDataBlocks > 1) {
        // Several raw_data_blocks share a header: no encoder of live streams writes it; time still moves on.
        out.error(new OnAirError('ONAIR_ERR_UNSUPPORTED', `ADTS frame with ${h.rawDataBlocks} raw data blocks`));
        if (this.sampleRate) this.clock.take(h.rawDataBlocks * AAC_FRAME_SAMPLES, this.sampleRate);
        at += h.frameLength;
        continue;
      }
      if (!this.updateConfig(h, out)) return;
      own ??= Buffer.from(data);
      const pts = this.clock.take(AAC_FRAME_SAMPLES, this.sampleRate);
      out.frame(pts, pts, true, own.subarray(at + h.headerLength, at + h.frameLength));
      at += h.frameLength;
    }
  }

  private updateConfig(h: ReturnType<typeof readAdtsHeader>, out: EsOutput): boolean {
    const key = (h.objectType << 8) | (h.samplingFrequencyIndex << 4) | h.channelConfiguration;
    if (key === this.configKey) return true;
    try {
      // channelConfiguration 7 is 8 channels (7.1); buildAudioSpecificConfig maps it back.
      const channels = h.channelConfiguration === 7 ? 8 : h.channelConfiguration;
      out.config(buildAudioSpecificConfig({ sampleRate: h.sampleRate, channels, objectType: h.objectType }));
    } catch (err) {
      if (!isOnAirError(err)) throw err;
      out.error(err);
      return false;
    }
    this.configKey = key;
    this.sampleRate = h.sampleRate;
    return true;
  }
}

function nextSync(data: Buffer, from: number): number {
  for (let i = from; i < data.length; i++) if (isAdtsSync(data, i)) return i;
  return data.length;
}
