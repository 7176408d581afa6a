/**
 * What a simulated viewer needs from a media playlist (RFC 8216bis): segments with their media sequence numbers,
 * LL-HLS parts in order with their (msn, index), the init segment, the preload hint, the server's delivery
 * controls, and the next part to ask a blocking reload for (hls.js's rule). Not a validating parser (OnAir's own,
 * src/formats/m3u8, is tested elsewhere): a lean line scan, cached by text, because every viewer of a rendition
 * gets the same bytes for the same state and the load client must stay cheap per request.
 */
import { PART_KEY_STRIDE, PLAYLIST_SCAN_CACHE } from './limits.js';
import type { MediaObject, MediaObjects } from './media-objects.js';

export interface ListedSegment {
  readonly msn: number;
  /** Request path (resolved against the playlist's directory). */
  readonly path: string;
  readonly object: MediaObject;
}

export interface ListedPart {
  readonly msn: number;
  readonly index: number;
  /** msn * PART_KEY_STRIDE + index: orders parts across segments. */
  readonly key: number;
  readonly path: string;
  readonly object: MediaObject;
}

export interface ScannedPlaylist {
  readonly targetDurationSec: number;
  readonly partTargetSec: number | undefined;
  /** The last EXT-X-MAP's request path. */
  readonly mapPath: string | undefined;
  /** Complete segments listed (after any skipped by a delta update), oldest first. */
  readonly segments: readonly ListedSegment[];
  /** Parts listed, oldest first, including those of the open segment. */
  readonly parts: readonly ListedPart[];
  readonly preloadHintPath: string | undefined;
  readonly canBlockReload: boolean;
  readonly canSkipUntilSec: number | undefined;
  readonly ended: boolean;
  /** Delivery directives for the next blocking reload (hls.js: the part after the last listed one). */
  readonly next: { readonly msn: number; readonly part: number | undefined };
}

const number = (line: string, prefix: string): number => Number(line.slice(prefix.length).split(',')[0]);
const attributePatterns = new Map<string, RegExp>();
/** An attribute's value (quotes removed) from a tag line `#EXT-X-...:A=1,B="x"`. */
function attribute(line: string, name: string): string | undefined {
  let pattern = attributePatterns.get(name);
  if (!pattern) attributePatterns.set(name, (pattern = new RegExp(`[:,]${name}=("[^"]*"|[^,]*)`)));
  const value = pattern.exec(line)?.[1];
  return value?.startsWith('"') ? value.slice(1, -1) : value;
}

/** Scans playlists of one media playlist URL; MediaObjects learns each object's first appearance from here. */
export class PlaylistScanner {
  private readonly cache = new Map<string, ScannedPlaylist>();
  private readonly dir: string;

  /** `playlistPath`: the media playlist's request path (its directory resolves relative URIs). */
  constructor(private readonly objects: MediaObjects, playlistPath: string) {
    const path = playlistPath.split('?')[0]!;
    this.dir = path.slice(0, path.lastIndexOf('/') + 1);
  }

  /** The scan of `text`, which arrived now: new texts are scanned once, and their new objects appear at `now`. */
  scan(text: string, now: number): ScannedPlaylist {
    const cached = this.cache.get(text);
    if (cached) return cached;
    const scanned = this.scanText(text, now);
    this.cache.set(text, scanned);
    if (this.cache.size > PLAYLIST_SCAN_CACHE) this.cache.delete(this.cache.keys().next().value!);
    return scanned;
  }

  private resolve(uri: string): string {
    if (uri.startsWith('/')) return uri;
    const scheme = /^https?:\/\/[^/]+/.exec(uri);
    return scheme ? uri.slice(scheme[0].length) || '/' : this.dir + uri;
  }

  private scanText(text: string, now: number): ScannedPlaylist {
    let targetDurationSec = 0;
    let partTargetSec: number | undefined;
    let mediaSequence = 0;
    let msn = -1; // set once EXT-X-MEDIA-SEQUENCE and EXT-X-SKIP are known (they precede the first segment)
    let mapPath: string | undefined;
    let preloadHintPath: string | undefined;
    let canBlockReload = false;
    let canSkipUntilSec: number | undefined;
    let ended = false;
    let extinf = 0;
    let partIndex = 0;
    const segments: ListedSegment[] = [];
    const parts: ListedPart[] = [];
    const currentMsn = (): number => (msn < 0 ? (msn = mediaSequence) : msn);
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') continue;
      if (!line.startsWith('#')) {
        const m = currentMsn();
        const path = this.resolve(line);
        segments.push({ msn: m, path, object: this.objects.listed(path, extinf, now) });
        msn = m + 1;
        partIndex = 0;
      } else if (line.startsWith('#EXT-X-PART:')) {
        const m = currentMsn();
        const path = this.resolve(attribute(line, 'URI') ?? '');
        parts.push({ msn: m, index: partIndex, key: m * PART_KEY_STRIDE + partIndex, path, object: this.objects.listed(path, Number(attribute(line, 'DURATION')), now) });
        partIndex++;
      } else if (line.startsWith('#EXTINF:')) {
        extinf = number(line, '#EXTINF:');
      } else if (line.startsWith('#EXT-X-TARGETDURATION:')) {
        targetDurationSec = number(line, '#EXT-X-TARGETDURATION:');
      } else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) {
        mediaSequence = number(line, '#EXT-X-MEDIA-SEQUENCE:');
      } else if (line.startsWith('#EXT-X-SKIP:')) {
        msn = mediaSequence + Number(attribute(line, 'SKIPPED-SEGMENTS') ?? 0);
      } else if (line.startsWith('#EXT-X-MAP:')) {
        mapPath = this.resolve(attribute(line, 'URI') ?? '');
      } else if (line.startsWith('#EXT-X-PART-INF:')) {
        partTargetSec = Number(attribute(line, 'PART-TARGET'));
      } else if (line.startsWith('#EXT-X-SERVER-CONTROL:')) {
        canBlockReload = attribute(line, 'CAN-BLOCK-RELOAD') === 'YES';
        const skip = attribute(line, 'CAN-SKIP-UNTIL');
        canSkipUntilSec = skip === undefined ? undefined : Number(skip);
      } else if (line.startsWith('#EXT-X-PRELOAD-HINT:') && attribute(line, 'TYPE') === 'PART') {
        preloadHintPath = this.resolve(attribute(line, 'URI') ?? '');
      } else if (line === '#EXT-X-ENDLIST') {
        ended = true;
      }
    }
    const lastSegmentMsn = segments.length ? segments[segments.length - 1]!.msn : currentMsn() - 1;
    return {
      targetDurationSec, partTargetSec, mapPath, segments, parts, preloadHintPath, canBlockReload, canSkipUntilSec, ended,
      next: nextDirectives(parts[parts.length - 1], lastSegmentMsn),
    };
  }
}

/**
 * hls.js (base-playlist-controller, low-latency mode): after a last part of the last complete segment, part 0 of
 * the next segment; after a part of the open segment, the next part of it; without parts, the next segment.
 */
function nextDirectives(lastPart: ListedPart | undefined, lastSegmentMsn: number): { msn: number; part: number | undefined } {
  if (!lastPart) return { msn: lastSegmentMsn + 1, part: undefined };
  return lastPart.msn === lastSegmentMsn ? { msn: lastSegmentMsn + 1, part: 0 } : { msn: lastPart.msn, part: lastPart.index + 1 };
}
