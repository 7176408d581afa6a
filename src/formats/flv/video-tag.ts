import { OnAirError } from '../../core/errors.js';
import type { MediaPacket, PacketRole } from '../../core/media-packet.js';
import {
  CTS_FOURCCS, EX_VIDEO_CODED_FRAMES, EX_VIDEO_CODED_FRAMES_X, EX_VIDEO_MULTITRACK,
  EX_VIDEO_SEQUENCE_END, EX_VIDEO_SEQUENCE_START, VIDEO_CODEC_AVC, VIDEO_CODEC_HEVC_LEGACY, VIDEO_FRAME_COMMAND,
  VIDEO_FRAME_KEY, canonicalVideoHeader, exVideoHasFourCc, originOf,
} from './tag-header-bytes.js';

/**
 * FLV video tag body -> packets. `timestamp` (the FLV/RTMP ms timestamp) becomes dts; the caller
 * normalizes timelines. Returns an array because an E-RTMP v2 Multitrack body may hold several tracks;
 * this version relays every Multitrack body as one opaque packet (codec = FourCC of its first track,
 * data = everything after the first byte). Unknown codecs and packet types are opaque, never errors;
 * only a body too short for its own header throws (ONAIR_ERR_TRUNCATED).
 */
export function parseVideoTagBody(body: Buffer, timestamp: number): MediaPacket[] {
  if (body.length < 1) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'empty FLV video tag body');
  const header = body[0]!;
  return [header & 0x80 ? parseEx(body, header, timestamp) : parseLegacy(body, header, timestamp)];
}

const AVC_PACKET_ROLES: Record<number, PacketRole> = { 0: 'config', 1: 'frame', 2: 'end' };

function parseLegacy(body: Buffer, header: number, dts: number): MediaPacket {
  const frameType = header >> 4;
  const codecId = header & 0x0f;
  const keyframe = frameType === VIDEO_FRAME_KEY;
  const codec = codecId === VIDEO_CODEC_AVC ? 'avc1' : codecId === VIDEO_CODEC_HEVC_LEGACY ? 'hvc1' : `flv-video-${codecId}`;
  const avcLike = codecId === VIDEO_CODEC_AVC || codecId === VIDEO_CODEC_HEVC_LEGACY;
  const pictures = avcLike && frameType !== VIDEO_FRAME_COMMAND;
  if (pictures && body.length < 2) throw new OnAirError('ONAIR_ERR_TRUNCATED', `FLV ${codec} tag body without AVCPacketType`);
  const role = pictures ? AVC_PACKET_ROLES[body[1]!] : undefined;
  if (!role) {
    // Sorenson, VP6, screen video, command frames: relayed as they came.
    return { kind: 'video', codec, role: 'opaque', dts, cts: 0, keyframe, data: body.subarray(1), origin: originOf(header, false) };
  }
  if (body.length < 5) throw new OnAirError('ONAIR_ERR_TRUNCATED', `FLV ${codec} tag body of ${body.length} bytes`);
  const p: MediaPacket = { kind: 'video', codec, role, dts, cts: body.readIntBE(2, 3), keyframe, data: body.subarray(5) };
  return header === canonicalVideoHeader(p) ? p : { ...p, origin: originOf(header, false) };
}

function parseEx(body: Buffer, header: number, dts: number): MediaPacket {
  const packetType = header & 0x0f;
  const keyframe = ((header >> 4) & 0x07) === VIDEO_FRAME_KEY;
  const opaque = (codec: string, data: Buffer): MediaPacket => ({
    kind: 'video', codec, role: 'opaque', dts, cts: 0, keyframe, data, origin: originOf(header, true),
  });
  if (!exVideoHasFourCc(header)) {
    if (packetType === EX_VIDEO_MULTITRACK) {
      if (body.length < 6) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'E-RTMP multitrack header cut');
      return opaque(body.toString('latin1', 2, 6), body.subarray(1));
    }
    // ModEx, command frames, packet types from a later spec: the layout is unknown, relay the rest.
    return opaque('flv-video-ex', body.subarray(1));
  }
  if (body.length < 5) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'E-RTMP video FourCC cut');
  const codec = body.toString('latin1', 1, 5);
  const role = exRole(packetType);
  // A FourCC we do not know still has the standard packet layout (no CTS outside CTS_FOURCCS), so it becomes a
  // real config/frame: the GOP cache, keyframe gating and fast start then work for it too, and the bytes after
  // the FourCC are relayed untouched.
  if (!role) return opaque(codec, body.subarray(5));
  let cts = 0;
  let dataStart = 5;
  if (packetType === EX_VIDEO_CODED_FRAMES && CTS_FOURCCS.has(codec)) {
    if (body.length < 8) throw new OnAirError('ONAIR_ERR_TRUNCATED', `E-RTMP ${codec} composition time cut`);
    cts = body.readIntBE(5, 3);
    dataStart = 8;
  }
  const p: MediaPacket = { kind: 'video', codec, role, dts, cts, keyframe, data: body.subarray(dataStart) };
  return header === canonicalVideoHeader(p) ? p : { ...p, origin: originOf(header, false) };
}

function exRole(packetType: number): PacketRole | undefined {
  switch (packetType) {
    case EX_VIDEO_SEQUENCE_START: return 'config';
    case EX_VIDEO_CODED_FRAMES:
    case EX_VIDEO_CODED_FRAMES_X: return 'frame';
    case EX_VIDEO_SEQUENCE_END: return 'end';
    default: return undefined; // Metadata (4), MPEG2TSSequenceStart (5): relayed opaque
  }
}
