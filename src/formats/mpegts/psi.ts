import { crc32Mpeg2 } from './crc32.js';
import { PROGRAM_NUMBER, TRANSPORT_STREAM_ID } from './limits.js';

/** PSI sections (ISO/IEC 13818-1 §2.4.4): PAT (table_id 0) and PMT (table_id 2), one program. */

export interface PmtStream {
  readonly streamType: number;
  readonly pid: number;
  /** ES_info descriptors, written as given (e.g. Opus registration + extension descriptors). */
  readonly descriptors?: Buffer;
}

/** Long-form section: header, `body`, CRC32. current_next_indicator 1 (§2.4.4.3). */
function section(tableId: number, idExtension: number, body: Buffer, version = 0): Buffer {
  const length = 5 + body.length + 4; // bytes after section_length: 5 header bytes, body, CRC
  const out = Buffer.alloc(3 + length);
  out.writeUInt8(tableId, 0);
  out.writeUInt16BE(0xb000 | length, 1); // section_syntax_indicator 1, '0', reserved '11'
  out.writeUInt16BE(idExtension, 3);
  out.writeUInt8(0xc1 | ((version & 0x1f) << 1), 5); // reserved '11', version_number, current_next 1
  out.writeUInt8(0, 6); // section_number
  out.writeUInt8(0, 7); // last_section_number
  body.copy(out, 8);
  out.writeUInt32BE(crc32Mpeg2(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

export function patSection(pmtPid: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16BE(PROGRAM_NUMBER, 0);
  body.writeUInt16BE(0xe000 | pmtPid, 2);
  return section(0x00, TRANSPORT_STREAM_ID, body);
}

/** `version` (0..31) changes whenever the stream list does, so demuxers read the new table (§2.4.4.9). */
export function pmtSection(pcrPid: number, streams: readonly PmtStream[], version = 0): Buffer {
  const esInfo = streams.reduce((n, s) => n + 5 + (s.descriptors?.length ?? 0), 0);
  const body = Buffer.alloc(4 + esInfo);
  body.writeUInt16BE(0xe000 | pcrPid, 0);
  body.writeUInt16BE(0xf000, 2); // program_info_length 0
  let at = 4;
  for (const s of streams) {
    const d = s.descriptors ?? Buffer.alloc(0);
    body.writeUInt8(s.streamType, at);
    body.writeUInt16BE(0xe000 | s.pid, at + 1);
    body.writeUInt16BE(0xf000 | d.length, at + 3); // ES_info_length
    d.copy(body, at + 5);
    at += 5 + d.length;
  }
  return section(0x02, PROGRAM_NUMBER, body, version);
}
