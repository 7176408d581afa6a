/**
 * Named limits of the AMF codecs, each with its reason. Counts a peer declares are never trusted:
 * every element costs at least one byte, so a count above the bytes left is refused before any
 * allocation (ONAIR_ERR_LIMIT); these constants bound what the byte count does not.
 */

/**
 * Deepest nesting of objects/arrays. Real messages nest 3 levels at most (onMetaData.keyframes.times);
 * 32 leaves room for application data while keeping the recursive decoders far from the JS stack limit
 * (a 10k-deep bomb would otherwise throw a RangeError).
 */
export const AMF_MAX_DEPTH = 32;

/**
 * AMF0 reference table (spec 2.9): indices are U16, so entries past 65536 can never be referenced; they
 * are not stored, which bounds the table whatever the body holds.
 */
export const AMF0_MAX_REFERENCES = 0x10000;

/**
 * AMF3 string/object/trait reference tables (spec 2.2): an entry beyond this is ONAIR_ERR_LIMIT. RTMP
 * command and data messages hold a few dozen complex values; 65536 per table caps bookkeeping per message.
 */
export const AMF3_MAX_REFERENCES = 0x10000;

/**
 * Largest encoded body. RTMP message length and FLV tag DataSize are 24-bit fields, so a larger AMF body
 * could not be sent anyway. Also bounds the work of encoding a decoded value whose references make a
 * DAG (each shared object is written inline, so a hostile DAG could otherwise expand exponentially).
 */
export const AMF_MAX_ENCODED_BYTES = 0xffffff;

/** AMF0 string/key length field (spec 2.4): longer strings go out as long strings (0x0C). */
export const AMF0_MAX_SHORT_STRING = 0xffff;

/** AMF3 U29 (spec 1.3.1): lengths and counts shifted left by one must fit in 29 bits. */
export const AMF3_MAX_U28 = 0x0fffffff;

/** AMF3 integer range (spec 3.6): signed 29-bit; numbers outside go out as doubles. */
export const AMF3_INT_MIN = -0x10000000;
export const AMF3_INT_MAX = 0x0fffffff;
