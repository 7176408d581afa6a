import { OnAirError } from '../../core/errors.js';
import { type BoxNode, box, fields } from './box-tree.js';
import { dopsBox } from './dops.js';
import { OTI_AAC, OTI_MPEG1_AUDIO, esdsBox } from './esds.js';
import type { Fmp4Track } from './types.js';

/** The one sample entry of a track's stsd (ISO/IEC 14496-12 §8.5.2, §12.1.3 visual, §12.2.3 audio). */
export function sampleEntry(t: Fmp4Track): BoxNode {
  switch (t.codec) {
    case 'avc1':
      return visualEntry('avc1', t, box('avcC', t.config)); // ISO/IEC 14496-15 §5.4.2
    case 'hvc1':
      return visualEntry('hvc1', t, box('hvcC', t.config)); // ISO/IEC 14496-15 §8.4.1: parameter sets in hvcC only
    case 'av01':
      return visualEntry('av01', t, box('av1C', t.config)); // AV1 Codec ISOBMFF Binding §2.3
    case 'mp4a':
      return audioEntry('mp4a', t, esdsBox(OTI_AAC, t.config));
    case '.mp3':
      return audioEntry('mp4a', t, esdsBox(OTI_MPEG1_AUDIO, Buffer.alloc(0)));
    case 'Opus':
      return audioEntry('Opus', t, dopsBox(t.config), 48_000); // Opus in ISOBMFF §4.3.1: samplerate 48000
  }
}

function visualEntry(type: string, t: Fmp4Track, config: BoxNode): BoxNode {
  if (t.kind !== 'video' || t.width === undefined || t.height === undefined) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${t.id}: ${type} needs kind video, width and height`);
  }
  const body = fields(78)
    .zeros(6) // reserved
    .u16(1) // data_reference_index
    .zeros(16) // pre_defined, reserved, pre_defined[3]
    .u16(t.width)
    .u16(t.height)
    .u32(0x0048_0000) // 72 dpi
    .u32(0x0048_0000)
    .u32(0) // reserved
    .u16(1) // frame_count
    .zeros(32) // compressorname
    .u16(0x0018) // depth: colour, no alpha
    .i16(-1) // pre_defined
    .done();
  return box(type, body, config);
}

function audioEntry(type: string, t: Fmp4Track, config: BoxNode, rateOverride?: number): BoxNode {
  if (t.kind !== 'audio' || t.sampleRate === undefined || t.channels === undefined) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `track ${t.id}: ${type} needs kind audio, sampleRate and channels`);
  }
  const rate = rateOverride ?? t.sampleRate;
  const body = fields(28)
    .zeros(6)
    .u16(1) // data_reference_index
    .zeros(8) // reserved
    .u16(t.channels)
    .u16(16) // samplesize
    .zeros(4) // pre_defined, reserved
    // 16.16 fixed point: rates above 65535 Hz do not fit; decoders take the rate from the config
    // (ASC / dOps), so write 0 rather than a wrapped value.
    .u32(rate <= 0xffff ? rate * 0x10000 : 0)
    .done();
  return box(type, body, config);
}
