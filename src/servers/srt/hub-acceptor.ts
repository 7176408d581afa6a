import { isOnAirError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { StreamHub, Subscription } from '../../hub/index.js';
import { createMpegTsIngest, createMpegTsOutputSink } from '../../bridges/mpegts/index.js';
import { LIVE_PAYLOAD_SIZE, RejectReason, type RejectReasonCode } from '../../protocols/srt/index.js';
import type { PlayAuthRequest, PlayDecision, PublishDecision, SrtAuth } from '../auth-port.js';
import type { SrtAdmission, SrtAcceptor, SrtCallerRequest, SrtOpenResult, SrtSessionIo } from './srt-acceptor.js';

export interface HubAcceptorDeps {
  readonly hub: StreamHub;
  readonly auth: SrtAuth;
  readonly log: Logger;
  /** --srt-passphrase; a stream's own settings.srtPassphrase wins for its publishers. */
  readonly passphrase: string | null;
}

const PUBLISH_REFUSALS: Record<Extract<PublishDecision, { ok: false }>['code'], RejectReasonCode> = {
  bad_name: RejectReason.badRequest,
  unauthorized: RejectReason.unauthorized,
  rate_limited: RejectReason.overload,
  disabled: RejectReason.forbidden,
  unavailable: RejectReason.unavailable,
};

const PLAY_REFUSALS: Record<Extract<PlayDecision, { ok: false }>['code'], RejectReasonCode> = {
  bad_name: RejectReason.badRequest,
  unauthorized: RejectReason.unauthorized,
  not_found: RejectReason.notFound,
};

/**
 * SRT callers as OnAir streams: `m=publish` is authorised exactly like an RTMP publish (same keys, modes,
 * rate limit) and its MPEG-TS goes into the hub through the MPEG-TS ingest bridge, so it is the same stream
 * for HLS, ABR, webhooks and RTMP players; `m=request` is authorised like any player and gets the stream
 * as continuous MPEG-TS, 7 TS packets per SRT packet.
 */
export class HubAcceptor implements SrtAcceptor {
  constructor(private readonly deps: HubAcceptorDeps) {}

  admit(req: SrtCallerRequest): Promise<SrtAdmission> {
    return req.mode === 'publish' ? this.admitPublisher(req) : this.admitPlayer(req);
  }

  private async admitPublisher(req: SrtCallerRequest): Promise<SrtAdmission> {
    const d = await this.deps.auth.authorizePublish({ app: '', name: req.resource, query: '', clientIp: req.peer.address, protocol: 'srt' });
    if (!d.ok) return { ok: false, reason: PUBLISH_REFUSALS[d.code], detail: d.reason };
    return {
      ok: true, path: d.streamPath, passphrase: d.srtPassphrase ?? this.deps.passphrase,
      open: (io) => this.openPublisher(d, req, io),
    };
  }

  private openPublisher(d: Extract<PublishDecision, { ok: true }>, req: SrtCallerRequest, io: SrtSessionIo): SrtOpenResult {
    let publisher;
    try {
      publisher = this.deps.hub.publish(d.streamPath, {
        protocol: 'srt', remoteAddress: req.peer.address,
        ...(d.streamId ? { streamId: d.streamId } : {}), ...(d.delivery ? { delivery: d.delivery } : {}),
      });
    } catch (err) {
      if (isOnAirError(err, 'ONAIR_ERR_CONFLICT')) return { refuse: RejectReason.conflict, detail: 'stream is already publishing' };
      throw err;
    }
    const ingest = createMpegTsIngest(publisher, this.deps.log.child({ path: d.streamPath, proto: 'srt' }));
    publisher.onKick = (reason) => io.close(reason);
    return { onPayload: (p) => ingest.push(p), onClose: (reason) => ingest.close(reason) };
  }

  private async admitPlayer(req: SrtCallerRequest): Promise<SrtAdmission> {
    const play: PlayAuthRequest = { app: '', name: req.resource, query: '', clientIp: req.peer.address, protocol: 'srt' };
    const d = await this.deps.auth.authorizePlay(play);
    if (!d.ok) return { ok: false, reason: PLAY_REFUSALS[d.code], detail: d.reason };
    if (!this.deps.hub.stream(d.streamPath)?.publisher) return { ok: false, reason: RejectReason.notFound, detail: 'no such live stream' };
    return { ok: true, path: d.streamPath, passphrase: this.deps.passphrase, open: (io) => this.openPlayer(d.streamPath, play, req, io) };
  }

  private openPlayer(path: string, play: PlayAuthRequest, req: SrtCallerRequest, io: SrtSessionIo): SrtOpenResult {
    const sink = createMpegTsOutputSink((ts) => writePayloads(io, ts), { pendingBytes: () => io.pendingBytes, onClose: (reason) => io.close(reason) });
    let sub: Subscription;
    try {
      sub = this.deps.hub.subscribe(path, { protocol: 'srt', remoteAddress: req.peer.address }, sink);
    } catch (err) {
      sink.close();
      if (isOnAirError(err, 'ONAIR_ERR_NOT_FOUND')) return { refuse: RejectReason.notFound, detail: 'no such live stream' };
      throw err;
    }
    // An expiring token, or a stream disabled, deleted or made signed, ends the player then (as RTMP and FLV).
    const stopWatching = this.deps.auth.watchPlay(play, (reason) => io.close(reason));
    return {
      onPayload: () => undefined, // a player's media is ignored
      onClose: (reason) => {
        stopWatching();
        sink.close();
        sub.close(reason);
      },
    };
  }
}

/** TS bytes (188 x N) into SRT payloads of at most 7 TS packets; the tail goes at once (no wait for more). */
function writePayloads(io: SrtSessionIo, ts: Buffer): void {
  for (let at = 0; at < ts.length; at += LIVE_PAYLOAD_SIZE) io.write(ts.subarray(at, at + LIVE_PAYLOAD_SIZE));
}
