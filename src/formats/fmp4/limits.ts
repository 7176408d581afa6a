/** Named limits of the fMP4 writers; each says why. */

/** The mdat header is written with a 32-bit size: a larger fragment would need largesize (64-bit),
 *  and no live segment or part comes near 4 GiB. Enforced in buildFragment. */
export const MAX_FRAGMENT_BYTES = 0xffff_ffff;

/** Samples per trun (each costs 16 bytes of moof): a fragment is a segment or a part, at most a few
 *  seconds of media; 100 000 samples is ~17 min of 96 kHz audio frames, far above any sane fragment. */
export const MAX_SAMPLES_PER_TRUN = 100_000;

/** Decoder configuration records are a few hundred bytes (avcC with SPS/PPS, hvcC with VPS/SPS/PPS);
 *  64 KiB stops a hostile config being copied into every init segment. */
export const MAX_CONFIG_BYTES = 65_536;

/** Tracks per init segment: one video and one audio in practice; a small cap keeps moov bounded. */
export const MAX_TRACKS = 16;
