/** API request bodies are small JSON documents; 64 KiB bounds parsing work and memory per request. */
export const API_BODY_LIMIT_BYTES = 64 * 1024;

/** Default and largest page of an API list call: bounded so one request cannot read a whole table. */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/**
 * The router's cap on one path parameter (fastify `maxParamLength`, default 100): over it a request is 414
 * before any route runs. The longest legal segment is a 128-character playback id plus `.flv`; 256 leaves room.
 */
export const MAX_PARAM_LENGTH = 256;
