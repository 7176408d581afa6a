/** API request bodies are small JSON documents; 64 KiB bounds parsing work and memory per request. */
export const API_BODY_LIMIT_BYTES = 64 * 1024;
