import { createHash } from 'node:crypto';
import type { RenditionReport } from '../../../../formats/m3u8/index.js';
import type { HlsUriScheme } from '../../../../protocols/hls/index.js';
import { PLAYLIST_CACHE_VARIANTS } from './limits.js';
import { setNewest } from '../../../../core/bounded-map.js';
import { PreparedAnswers } from '../../lean/prepared-answer.js';

/** A rendered playlist as every viewer gets it: the same Buffer and its strong ETag. */
export interface RenderedPlaylist {
  readonly body: Buffer;
  readonly etag: string;
  /** The whole answers made from these bytes for the lean front (prepared-answer.ts); absent = none kept. */
  readonly prepared?: PreparedAnswers;
}

/** What a playlist is rendered from: a rendition's state (`version`) and its renderer. */
export interface PlaylistSource {
  readonly version: number;
  renderPlaylist(format: 'fmp4' | 'ts', skip: boolean, uris: HlsUriScheme, reports?: RenditionReport[]): string;
}

/** One playlist variant of a rendition: the format, a delta update or not, and the URI suffix (the token). */
export interface PlaylistVariant {
  readonly format: 'fmp4' | 'ts';
  readonly skip: boolean;
  /** `?token=...` carried onto every URI, or ''. */
  readonly suffix: string;
  readonly uris: HlsUriScheme;
}

const PLAIN_KEYS = { fmp4: ['fmp4||', 'fmp4|s|'], ts: ['ts||', 'ts|s|'] } as const;

interface Entry extends RenderedPlaylist {
  readonly version: number;
  readonly reportsKey: string;
}

/**
 * The rendered playlists of one rendition, one per variant: a state is rendered when a request first sees it
 * and then served as the same bytes to every request (and every blocking-reload waiter woken by the same
 * change) until the rendition's version or a sibling's rendition report moves. Bounded: per-viewer tokens
 * make per-viewer variants, the oldest is dropped past PLAYLIST_CACHE_VARIANTS.
 */
export class PlaylistCache {
  private readonly entries = new Map<string, Entry>();
  /** Playlists rendered (not served from the cache): stats and tests. */
  renders = 0;

  constructor(private readonly source: PlaylistSource) {}

  get(v: PlaylistVariant, reports: readonly RenditionReport[]): RenderedPlaylist {
    // Without a token (nearly every request) the key is a constant: no string made and hashed per request.
    const key = v.suffix ? `${v.format}|${v.skip ? 's' : ''}|${v.suffix}` : PLAIN_KEYS[v.format][v.skip ? 1 : 0];
    const reportsKey = reports.length === 0 ? '' : reports.map((r) => `${r.uri} ${r.lastMsn}.${r.lastPart}`).join('\n');
    const version = this.source.version;
    const hit = this.entries.get(key);
    if (hit && hit.version === version && hit.reportsKey === reportsKey) return hit;
    this.renders++;
    const body = Buffer.from(this.source.renderPlaylist(v.format, v.skip, v.uris, reports.length ? [...reports] : undefined));
    const entry: Entry = { body, etag: etagOf(body), version, reportsKey, prepared: new PreparedAnswers() };
    setNewest(this.entries, key, entry, PLAYLIST_CACHE_VARIANTS);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A strong validator of the bytes (once per render, never per request). */
function etagOf(body: Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Rendered master playlists, by the variants' states: the same as PlaylistCache, for the multivariant one. */
export class MasterCache {
  private entry: (RenderedPlaylist & { readonly key: string }) | undefined;
  renders = 0;

  /** `key` identifies everything the master shows; `render` runs only when it changed. */
  get(key: string, render: () => string): RenderedPlaylist {
    if (this.entry?.key === key) return this.entry;
    this.renders++;
    const body = Buffer.from(render());
    this.entry = { body, etag: etagOf(body), key, prepared: new PreparedAnswers() };
    return this.entry;
  }
}
