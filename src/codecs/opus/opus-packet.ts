import { OnAirError } from '../../core/errors.js';

/** Opus always decodes at 48 kHz (RFC 6716 §2; RFC 7845 §4). */
export const OPUS_SAMPLE_RATE = 48_000;

/** Longest Opus packet: 120 ms (RFC 6716 §3.2.5). */
const MAX_PACKET_SAMPLES = 5760;

/** Frame size in 48 kHz samples by TOC config (RFC 6716 §3.1, Table 2): SILK 10/20/40/60 ms, Hybrid 10/20, CELT 2.5/5/10/20. */
const FRAME_SAMPLES = [
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
  480, 960, 480, 960,
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
];

/** Samples (48 kHz) in one Opus packet, from its TOC byte and frame count (RFC 6716 §3.1-3.2). */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length < 1) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'empty Opus packet');
  const toc = packet[0]!;
  const code = toc & 0x03;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code !== 3) frames = 2;
  else {
    if (packet.length < 2) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'Opus code 3 packet without its frame count');
    frames = packet[1]! & 0x3f;
    if (frames === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'Opus code 3 packet with 0 frames');
  }
  const samples = frames * FRAME_SAMPLES[toc >> 3]!;
  if (samples > MAX_PACKET_SAMPLES) throw new OnAirError('ONAIR_ERR_MALFORMED', `Opus packet of ${samples} samples (over 120 ms)`);
  return samples;
}
