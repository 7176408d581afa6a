import { readFileSync } from 'node:fs';
import { runOk } from './proc.js';

export interface Mp4Sample { dtsMs: number; ctsMs: number; keyframe: boolean; data: Buffer }

/**
 * The video access units of an MP4 written by ffmpeg (read at ffprobe's packet positions) and the payload of
 * its codec configuration box (`hvcC`, `av1C`, `avcC`): enough to publish it over Enhanced RTMP in tests.
 */
export async function mp4VideoSamples(file: string, configBox: 'hvcC' | 'av1C' | 'avcC'): Promise<{ config: Buffer; samples: Mp4Sample[] }> {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(configBox);
  if (at < 4) throw new Error(`${configBox} not found in ${file}`);
  const config = bytes.subarray(at + 4, at - 4 + bytes.readUInt32BE(at - 4));
  const out = await runOk('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time,size,pos,flags', '-of', 'json', file]);
  const packets = (JSON.parse(out) as { packets: { pts_time: string; dts_time: string; size: string; pos: string; flags: string }[] }).packets;
  const samples = packets.map((p) => {
    const dtsMs = Math.round(Number(p.dts_time) * 1000);
    return {
      dtsMs, ctsMs: Math.round(Number(p.pts_time) * 1000) - dtsMs, keyframe: p.flags.startsWith('K'),
      data: bytes.subarray(Number(p.pos), Number(p.pos) + Number(p.size)),
    };
  });
  return { config, samples };
}
