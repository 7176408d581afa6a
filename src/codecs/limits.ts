/**
 * Limits for codec-level parsing. Every count or size a peer declares is checked against one of these
 * before it drives a loop or an allocation.
 */

/**
 * Parameter sets per array in avcC/hvcC. avcC allows 31 SPS / 255 PPS on the wire and H.264 allows 32
 * SPS ids and 256 PPS ids; real encoders send 1 of each. 32 keeps every legal stream and stops a
 * hostile record from making us walk thousands of empty entries.
 */
export const MAX_PARAMETER_SETS = 32;

/** hvcC arrays (VPS, SPS, PPS, SEI): 5 kinds exist in practice; 16 leaves room for extensions. */
export const MAX_HVCC_ARRAYS = 16;

/**
 * One NAL unit inside a frame. A 4K intra frame at high bitrate is a few MiB; 16 MiB matches the FLV
 * tag body ceiling (a 24-bit size), so a single NAL can never exceed what one tag can carry anyway.
 */
export const MAX_NAL_SIZE = 16 * 1024 * 1024;

/** NAL units per access unit: H.264 slices per picture are bounded by macroblocks; 4096 covers 8K multi-slice. */
export const MAX_NALUS_PER_ACCESS_UNIT = 4096;

/**
 * Width and height in pixels. 16384 is the largest dimension any AVC/HEVC level allows (level 6.2 at
 * extreme aspect ratios stays below it) and what browsers' decoders accept; larger is an absurd config.
 */
export const MAX_DIMENSION = 16384;

/** Parameter-set size: an SPS with scaling lists and VUI is < 1 KiB; 64 KiB is the avcC/hvcC u16 length. */
export const MAX_PARAMETER_SET_SIZE = 65535;

/** OBUs walked in av1C configOBUs or one temporal unit header scan; real configs carry one sequence header. */
export const MAX_OBUS = 256;

/** ADTS frame_length is 13 bits (ISO/IEC 13818-7 6.2): the header itself included. */
export const MAX_ADTS_FRAME_LENGTH = 8191;
