import { ByteReader } from '../../core/byte-reader.js';
import { OnAirError, checkLimit } from '../../core/errors.js';
import { MAX_ELEMENTARY_STREAMS } from './limits.js';

/** Reading PAT and PMT sections (ISO/IEC 13818-1 §2.4.4.3 and §2.4.4.8). Sections arrive CRC-checked. */

const TABLE_PAT = 0x00;
const TABLE_PMT = 0x02;

interface LongSectionHeader {
  readonly tableId: number;
  readonly idExtension: number;
  readonly version: number;
  readonly currentNext: boolean;
  /** Reader positioned at the table body; its end excludes the CRC. */
  readonly body: ByteReader;
}

function longSection(section: Buffer, tableId: number): LongSectionHeader {
  const r = new ByteReader(section, 0, section.length - 4);
  const id = r.u8('table_id');
  if (id !== tableId) throw new OnAirError('ONAIR_ERR_MALFORMED', `table_id ${id}, expected ${tableId}`);
  const flags = r.u16('section_length');
  if ((flags & 0x8000) === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `table ${id} without section_syntax_indicator`);
  const idExtension = r.u16('table_id_extension');
  const v = r.u8('version_number');
  r.skip(2, 'section_number'); // + last_section_number: PAT/PMT of one program fit one section here
  return { tableId: id, idExtension, version: (v >> 1) & 0x1f, currentNext: (v & 1) === 1, body: r };
}

export interface PatProgram {
  readonly programNumber: number;
  readonly pmtPid: number;
}

export interface Pat {
  readonly transportStreamId: number;
  readonly version: number;
  readonly currentNext: boolean;
  /** Programs in section order; program_number 0 (the network PID) is left out. */
  readonly programs: readonly PatProgram[];
}

export function parsePat(section: Buffer): Pat {
  const h = longSection(section, TABLE_PAT);
  const programs: PatProgram[] = [];
  while (h.body.remaining >= 4) {
    const programNumber = h.body.u16('program_number');
    const pid = h.body.u16('program_map_PID') & 0x1fff;
    if (programNumber !== 0) programs.push({ programNumber, pmtPid: pid });
  }
  return { transportStreamId: h.idExtension, version: h.version, currentNext: h.currentNext, programs };
}

export interface PmtDescriptor {
  readonly tag: number;
  readonly data: Buffer;
}

export interface PmtElementaryStream {
  readonly streamType: number;
  readonly pid: number;
  readonly descriptors: readonly PmtDescriptor[];
}

export interface Pmt {
  readonly programNumber: number;
  readonly version: number;
  readonly currentNext: boolean;
  readonly pcrPid: number;
  readonly streams: readonly PmtElementaryStream[];
}

/** Throws OnAirError on a malformed section or more than MAX_ELEMENTARY_STREAMS streams. */
export function parsePmt(section: Buffer): Pmt {
  const h = longSection(section, TABLE_PMT);
  const r = h.body;
  const pcrPid = r.u16('PCR_PID') & 0x1fff;
  r.skip(r.u16('program_info_length') & 0x0fff, 'program descriptors');
  const streams: PmtElementaryStream[] = [];
  while (r.remaining > 0) {
    checkLimit('PMT elementary streams', streams.length + 1, MAX_ELEMENTARY_STREAMS);
    const streamType = r.u8('stream_type');
    const pid = r.u16('elementary_PID') & 0x1fff;
    const info = r.bytes(r.u16('ES_info_length') & 0x0fff, 'ES descriptors');
    streams.push({ streamType, pid, descriptors: readDescriptors(info) });
  }
  return { programNumber: h.idExtension, version: h.version, currentNext: h.currentNext, pcrPid, streams };
}

function readDescriptors(info: Buffer): PmtDescriptor[] {
  const r = new ByteReader(info);
  const out: PmtDescriptor[] = [];
  while (r.remaining > 0) {
    const tag = r.u8('descriptor_tag');
    out.push({ tag, data: r.bytes(r.u8('descriptor_length'), 'descriptor') });
  }
  return out;
}
