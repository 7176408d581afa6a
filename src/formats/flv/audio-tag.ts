import { OnAirError } from '../../core/errors.js';
import type { MediaPacket, PacketRole } from '../../core/media-packet.js';
import {
  EX_AUDIO_FOURCCS, EX_AUDIO_MULTITRACK, SOUND_FORMAT_AAC, SOUND_FORMAT_EX, SOUND_FORMAT_MP3, SOUND_FORMAT_MP3_8K,
  canonicalAudioHeader, exAudioHasFourCc, originOf,
} from './tag-header-bytes.js';

/**
 * FLV audio tag body -> packets (array for the same reason as parseVideoTagBody; Multitrack is relayed
 * as one opaque packet). Legacy formats other than AAC and MP3 (PCM, ADPCM, Nellymoser, G.711, Speex)
 * become role 'frame' with codec 'flv-audio-<SoundFormat>' and origin.flvTagHeader.
 */
export function parseAudioTagBody(body: Buffer, timestamp: number): MediaPacket[] {
  if (body.length < 1) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'empty FLV audio tag body');
  const header = body[0]!;
  const format = header >> 4;
  const dts = timestamp;
  if (format === SOUND_FORMAT_EX) return [parseEx(body, header, dts)];
  if (format === SOUND_FORMAT_AAC) {
    if (body.length < 2) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'FLV AAC tag body without AACPacketType');
    const role = body[1] === 0 ? 'config' : body[1] === 1 ? 'frame' : undefined;
    if (!role) return [opaque('mp4a', body.subarray(1), header, dts, false)];
    return [known({ kind: 'audio', codec: 'mp4a', role, dts, cts: 0, keyframe: true, data: body.subarray(2) }, header)];
  }
  const codec = format === SOUND_FORMAT_MP3 || format === SOUND_FORMAT_MP3_8K ? '.mp3' : `flv-audio-${format}`;
  const p: MediaPacket = { kind: 'audio', codec, role: 'frame', dts, cts: 0, keyframe: true, data: body.subarray(1) };
  return [codec === '.mp3' ? known(p, header) : { ...p, origin: originOf(header, false) }];
}

const EX_AUDIO_ROLES: Record<number, PacketRole> = { 0: 'config', 1: 'frame', 2: 'end' };

function parseEx(body: Buffer, header: number, dts: number): MediaPacket {
  const packetType = header & 0x0f;
  if (!exAudioHasFourCc(header)) {
    if (packetType === EX_AUDIO_MULTITRACK) {
      if (body.length < 6) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'E-RTMP audio multitrack header cut');
      return opaque(body.toString('latin1', 2, 6), body.subarray(1), header, dts, true);
    }
    return opaque('flv-audio-ex', body.subarray(1), header, dts, true); // ModEx or a later packet type
  }
  if (body.length < 5) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'E-RTMP audio FourCC cut');
  const codec = body.toString('latin1', 1, 5);
  const role = EX_AUDIO_ROLES[packetType];
  // MultichannelConfig (4) and unknown FourCCs are relayed untouched.
  if (!role || !EX_AUDIO_FOURCCS.has(codec)) return opaque(codec, body.subarray(5), header, dts, true);
  return known({ kind: 'audio', codec, role, dts, cts: 0, keyframe: true, data: body.subarray(5) }, header);
}

function known(p: MediaPacket, header: number): MediaPacket {
  return header === canonicalAudioHeader(p) ? p : { ...p, origin: originOf(header, false) };
}

function opaque(codec: string, data: Buffer, header: number, dts: number, ex: boolean): MediaPacket {
  return { kind: 'audio', codec, role: 'opaque', dts, cts: 0, keyframe: true, data, origin: originOf(header, ex) };
}
