/** Limits for FLV parsing, each with its reason. */

/**
 * Largest tag body the reader buffers. The 24-bit DataSize cannot exceed 16 MiB - 1 anyway; naming it
 * lets a caller pass a lower cap (maxTagSize) and makes the ceiling on buffered memory per reader explicit.
 */
export const MAX_FLV_TAG_SIZE = 16 * 1024 * 1024;

/**
 * FLV header DataOffset: 9 for FLV version 1. Bytes between 9 and DataOffset are skipped; capped so a
 * lying header cannot make the reader swallow gigabytes before the first tag.
 */
export const MAX_FLV_HEADER_SIZE = 1024;
