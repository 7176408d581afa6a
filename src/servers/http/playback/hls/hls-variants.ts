import { type HlsPackagers, SOURCE_RENDITION } from '../../../../bridges/hls/index.js';
import type { HlsRendition } from '../../../../protocols/hls/index.js';
import type { RenditionInfo } from '../../../../services/transcode/types.js';
import { RENDITION_NAME } from '../../../../services/streams/stream-types.js';

/** One variant of a stream's master playlist: the rendition id in the URL, its packaged media and instance tag. */
export interface Variant {
  /** `src` for the source, else the ABR rendition's name (`480p`): /hls/<playbackId>/<id>/media.m3u8. */
  readonly id: string;
  readonly rendition: HlsRendition;
  /** The instance tag of the packager holding it (init/segment/part names). */
  readonly instance: string;
}

/**
 * The variants of `streamPath`: the source packager's renditions, then every ABR rendition the transcoder
 * lists whose hub path has a live packager (each rendition path is its own hub stream, packaged by its own
 * HlsStreamPackager into its `src` rendition). A rung named like the source id is not addressable.
 */
export function variantsOf(
  packagers: HlsPackagers, streamPath: string, renditions: ((streamPath: string) => readonly RenditionInfo[]) | undefined,
  /** A rendition asked for while it starts (register-hls.ts startingRendition): served once it has a packager, listed or not. */
  starting?: { readonly id: string },
): Variant[] {
  const source = packagers.get(streamPath);
  if (!source) return [];
  const out: Variant[] = [];
  for (const [id, rendition] of source.renditions) out.push({ id, rendition, instance: source.instance });
  const ladder = renditions?.(streamPath) ?? [];
  for (const info of ladder) {
    if (info.source || info.name === SOURCE_RENDITION || !RENDITION_NAME.test(info.name)) continue;
    const p = packagers.get(info.path);
    if (p && !p.isClosed) out.push({ id: info.name, rendition: p.source, instance: p.instance });
  }
  if (starting && RENDITION_NAME.test(starting.id) && !out.some((v) => v.id === starting.id)) {
    const p = packagers.get(`${streamPath}/${starting.id}`);
    if (p && !p.isClosed) out.push({ id: starting.id, rendition: p.source, instance: p.instance });
  }
  return out;
}
