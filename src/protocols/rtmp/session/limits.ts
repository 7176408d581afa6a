/** Session-level limits of the RTMP command layer. */

/** Message streams one connection may create: clients use 1 (nginx-rtmp always answers 1). */
export const MAX_MESSAGE_STREAMS = 8;

/** Publish/play names: keys and ids are far shorter; a longer name is an attack or a mistake. */
export const MAX_NAME_LENGTH = 1024;

/** Server's Window Acknowledgement Size and peer bandwidth, as nginx-rtmp sends them. */
export const SERVER_WINDOW_ACK_SIZE = 5_000_000;

/** Media messages dropped on a stream that is not (yet) publishing before the connection is closed. */
export const MAX_UNEXPECTED_MEDIA = 1_000;
