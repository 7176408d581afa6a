import type { Static } from '@sinclair/typebox';
import { maskKey, type TargetWithStatus } from '../../../services/repush/index.js';
import type { TargetSchema } from './schemas/target-schemas.js';

/** A target as the API shows it: the key masked, the live status flattened in. */
export function targetView({ target: t, status: s }: TargetWithStatus): Static<typeof TargetSchema> {
  return {
    id: t.id,
    streamId: t.streamId,
    url: t.url,
    streamKey: maskKey(t.streamKey),
    enabled: t.enabled,
    rendition: t.rendition,
    tlsVerify: t.tlsVerify,
    status: s.state,
    lastError: s.lastError && { class: s.lastError.class, message: s.lastError.message, at: s.lastError.at.toISOString() },
    connectedSince: s.connectedSince?.toISOString() ?? null,
    bitrateOut: s.bitrateOut,
    bytesOut: s.bytesOut,
    droppedFrames: s.droppedFrames,
    reconnects: s.reconnects,
    nextAttemptAt: s.nextAttemptAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
