import { MEDIA_OBJECTS_KEPT } from './limits.js';

/** One segment or part of the stream, as first seen in a playlist by any viewer of this process. */
export interface MediaObject {
  readonly uri: string;
  /** EXTINF or EXT-X-PART DURATION, seconds. */
  readonly durationSec: number;
  /** performance.now() when a playlist listing it first arrived at any viewer: its appearance. */
  readonly firstListedAt: number;
  /** Body bytes of its first complete 200 answer (0 until then). */
  bytes: number;
}

/**
 * The stream's segments and parts, shared by every viewer of the process: when each first appeared in a playlist
 * (the reference of the LL-HLS delivery lag) and the stream's media rate as served (bytes over duration of the
 * distinct objects received whole), which is what a viewer must receive to keep up. Bounded: the oldest objects
 * are forgotten first.
 */
export class MediaObjects {
  private readonly byUri = new Map<string, MediaObject>();
  private bytes = 0;
  private seconds = 0;

  /** The object at `uri`, created (appearing now) on its first listing. */
  listed(uri: string, durationSec: number, now: number): MediaObject {
    let obj = this.byUri.get(uri);
    if (!obj) {
      obj = { uri, durationSec, firstListedAt: now, bytes: 0 };
      this.byUri.set(uri, obj);
      if (this.byUri.size > MEDIA_OBJECTS_KEPT) this.byUri.delete(this.byUri.keys().next().value!);
    }
    return obj;
  }

  /** A viewer received `obj` whole: the first such answer counts toward the stream's rate. */
  received(obj: MediaObject, bytes: number): void {
    if (obj.bytes > 0 || bytes === 0) return;
    obj.bytes = bytes;
    this.bytes += bytes;
    this.seconds += obj.durationSec;
  }

  /** Media bytes per second of the stream as served, or undefined before any object was received. */
  get bytesPerSecond(): number | undefined {
    return this.seconds > 0 ? this.bytes / this.seconds : undefined;
  }
}
