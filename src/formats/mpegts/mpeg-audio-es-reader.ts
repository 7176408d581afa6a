import { OnAirError } from '../../core/errors.js';
import { parseMp3FrameHeader } from '../../codecs/index.js';
import { AudioFrameClock, readAudioFrames, skipToSync, type AudioStep } from './audio-frames.js';
import type { ElementaryPes, EsOutput, EsReader } from './es-reader.js';

function isMpegAudioSync(data: Buffer, at: number): boolean {
  return data[at] === 0xff && at + 1 < data.length && (data[at + 1]! & 0xe0) === 0xe0;
}

/**
 * MPEG-1/2 audio (stream_type 0x03/0x04; MP3 as the hub calls it): a PES holds whole frames, each handed
 * out with its header (as FLV carries MP3) and its own timestamp. MP3 has no config record: the first
 * frame's header tells rate and channels. Free-format (bitrate index 0) frames have no length and are refused.
 */
export class MpegAudioEsReader implements EsReader {
  private readonly clock = new AudioFrameClock();

  push(pes: ElementaryPes, out: EsOutput): void {
    readAudioFrames(pes, out, this.clock, (data, at) => step(data, at));
  }
}

function step(data: Buffer, at: number): AudioStep {
  if (!isMpegAudioSync(data, at)) return skipToSync(data, at, isMpegAudioSync, 'MPEG audio');
  const h = parseMp3FrameHeader(data.subarray(at, at + 4));
  const end = at + h.frameLength;
  if (end > data.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', `MPEG audio frame of ${h.frameLength} bytes cut at the PES end`);
  return { kind: 'frame', start: at, end, samples: h.samplesPerFrame, sampleRate: h.sampleRate };
}
