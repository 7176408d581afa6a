import { OnAirError } from '../../core/errors.js';
import { buildAudioSpecificConfig } from '../../codecs/index.js';
import { isAdtsSync, readAdtsHeader, type AdtsFrameHeader } from '../../codecs/aac/adts-reader.js';
import { AudioFrameClock, readAudioFrames, skipToSync, type AudioStep } from './audio-frames.js';
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

  push(pes: ElementaryPes, out: EsOutput): void {
    readAudioFrames(pes, out, this.clock, (data, at) => this.step(data, at, out));
  }

  private step(data: Buffer, at: number, out: EsOutput): AudioStep {
    if (!isAdtsSync(data, at)) return skipToSync(data, at, isAdtsSync, 'ADTS');
    const h = readAdtsHeader(data, at);
    const end = at + h.frameLength;
    if (end > data.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', `ADTS frame of ${h.frameLength} bytes cut at the PES end`);
    const samples = h.rawDataBlocks * AAC_FRAME_SAMPLES;
    if (h.rawDataBlocks > 1) {
      // Several raw_data_blocks share a header: no encoder of live streams writes it; time still moves on.
      return { kind: 'skip', end, samples, sampleRate: h.sampleRate, error: new OnAirError('ONAIR_ERR_UNSUPPORTED', `ADTS frame with ${h.rawDataBlocks} raw data blocks`) };
    }
    this.updateConfig(h, out);
    return { kind: 'frame', start: at + h.headerLength, end, samples, sampleRate: h.sampleRate };
  }

  /** Throws (ending the PES) when the header's values make no AudioSpecificConfig. */
  private updateConfig(h: AdtsFrameHeader, out: EsOutput): void {
    const key = (h.objectType << 8) | (h.samplingFrequencyIndex << 4) | h.channelConfiguration;
    if (key === this.configKey) return;
    // channelConfiguration 7 is 8 channels (7.1); buildAudioSpecificConfig maps it back.
    const channels = h.channelConfiguration === 7 ? 8 : h.channelConfiguration;
    out.config(buildAudioSpecificConfig({ sampleRate: h.sampleRate, channels, objectType: h.objectType }));
    this.configKey = key;
  }
}
