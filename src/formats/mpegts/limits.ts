/** Named limits and constants of the MPEG-TS muxer (ISO/IEC 13818-1); each says why. */

export const TS_PACKET_SIZE = 188;
export const TS_HEADER_SIZE = 4;
export const TS_PAYLOAD_SIZE = TS_PACKET_SIZE - TS_HEADER_SIZE;

/** 33-bit PTS/DTS/PCR base (§2.4.3.7): timestamps are written mod 2^33 so an unbounded hub timeline
 *  wraps the way demuxers expect (hls.js 1.7 `src/remux/mp4-remuxer.ts` normalizePts). */
export const TIMESTAMP_WRAP = 2 ** 33;

/** One video access unit: a 4K intra frame at high bitrate is a few MB; 16 MiB bounds the single output
 *  allocation of writeVideo against a hostile or broken upstream. */
export const MAX_VIDEO_PES_BYTES = 16 * 1024 * 1024;

/** Audio PES must declare its length (PES_packet_length 0 is allowed for video only, §2.4.3.7): the
 *  16-bit field minus the 3 header bytes after it and 5 bytes of PTS. */
export const MAX_AUDIO_PES_BYTES = 0xffff - 3 - 5;

/** PCR is written on a keyframe or once this much time (90 kHz) has passed since the last one. §2.7.2
 *  caps the PCR interval at 100 ms; 40 ms leaves room for frame spacing up to 60 ms (16 fps) between the
 *  PES packets that carry it. Slower video (under 10 fps) cannot meet 100 ms without PCR-only packets,
 *  which this muxer does not write: hls.js does not read PCR (hls.js 1.7 `src/demux/tsdemuxer.ts`). */
export const PCR_INTERVAL_90K = 40 * 90;

/** PIDs as ffmpeg's mpegts muxer assigns them, so dumps compare side by side. */
export const PID_PAT = 0x0000;
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x0100;
export const PID_AUDIO = 0x0101;
export const PROGRAM_NUMBER = 1;
export const TRANSPORT_STREAM_ID = 1;
