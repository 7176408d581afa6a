import { OnAirError, isOnAirError } from '../../core/errors.js';
import { parseMp3FrameHeader } from '../../codecs/index.js';
import { AudioFrameClock } from './audio-frame-clock.js';
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
    if (!this.clock.start(pes, out)) return;
    const data = pes.data;
    let own: Buffer | undefined;
    let at = 0;
    while (at < data.length) {
      if (!isMpegAudioSync(data, at)) {
        let next = at + 1;
        while (next < data.length && !isMpegAudioSync(data, next)) next++;
        out.error(new OnAirError('ONAIR_ERR_MALFORMED', `${next - at} bytes that are not MPEG audio skipped`));
        at = next;
        continue;
      }
      let h;
      try {
        h = parseMp3FrameHeader(data.subarray(at, at + 4));
      } catch (err) {
        if (!isOnAirError(err)) throw err;
        out.error(err);
        return;
      }
      if (at + h.frameLength > data.length) {
        out.error(new OnAirError('ONAIR_ERR_TRUNCATED', `MPEG audio frame of ${h.frameLength} bytes cut at the PES end`));
        return;
      }
      own ??= Buffer.from(data);
      const pts = this.clock.take(h.samplesPerFrame, h.sampleRate);
      out.frame(pts, pts, true, own.subarray(at, at + h.frameLength));
      at += h.frameLength;
    }
  }
}
