import { isOnAirError } from '../../../core/errors.js';
import { ExtType, HsExtFlag, type Handshake } from '../packet/handshake.js';
import { decodeKeyMaterial, type KeyMaterialMessage } from '../packet/key-material.js';
import { decodeExtString, decodeSrtHs, MIN_SRT_VERSION_HSV5, SrtFlag, type SrtHsMessage } from '../packet/srt-extensions.js';
import { MAX_MSS, MIN_MSS } from '../limits.js';
import { RejectReason, type RejectReasonCode } from './reject-reason.js';

/** A caller's v5 conclusion, read and checked: everything a listener needs to decide and answer. */
export interface ConclusionRequest {
  readonly callerSocketId: number;
  readonly isn: number;
  readonly mss: number;
  readonly flowWindow: number;
  readonly hs: SrtHsMessage;
  /** Null when the caller sent no stream ID. */
  readonly streamId: string | null;
  /** The caller's keying material (null: it asked for no encryption). */
  readonly km: KeyMaterialMessage | null;
  /** The KMREQ block as received, echoed in the KMRSP when the keys unwrap. */
  readonly kmBody: Buffer | null;
  /** The caller's clock when it sent the conclusion (header timestamp, µs): the TSBPD time base. */
  readonly peerTimestamp: number;
}

export type ConclusionCheck =
  | { readonly ok: true; readonly request: ConclusionRequest }
  | { readonly ok: false; readonly reason: RejectReasonCode; readonly detail: string };

/**
 * Reads the extension blocks of a v5 conclusion and refuses what OnAir does not do: HSv4 (no stream ID,
 * no integrated key exchange), file/stream mode, another congestion controller, packet filters (FEC),
 * bonding groups, AES-GCM. Each refusal carries the reason code libsrt itself would use.
 */
export function readConclusion(hs: Handshake, peerTimestamp: number): ConclusionCheck {
  if (hs.version < 5) return refuse(RejectReason.version, 'HSv4 caller: OnAir needs SRT 1.3 or later (handshake v5)');
  if (hs.mss < MIN_MSS) return refuse(RejectReason.rogue, `MSS ${hs.mss} below ${MIN_MSS}`);
  let srtHs: SrtHsMessage | undefined;
  let streamId: string | null = null;
  let km: KeyMaterialMessage | null = null;
  let kmBody: Buffer | null = null;
  try {
    for (const ext of hs.extensions) {
      switch (ext.type) {
        case ExtType.hsReq: srtHs = decodeSrtHs(ext.body); break;
        case ExtType.kmReq: kmBody = ext.body; km = decodeKeyMaterial(ext.body); break;
        case ExtType.sid: streamId = decodeExtString(ext.body); break;
        case ExtType.congestion: {
          const cc = decodeExtString(ext.body);
          if (cc !== 'live' && cc !== '') return refuse(RejectReason.congestion, `congestion controller "${cc.slice(0, 16)}"`);
          break;
        }
        case ExtType.filter: return refuse(RejectReason.filter, 'packet filters (FEC) are not supported');
        case ExtType.group: return refuse(RejectReason.group, 'socket groups (bonding) are not supported');
        default: break; // unknown blocks are skipped, as libsrt does
      }
    }
  } catch (err) {
    if (isOnAirError(err, 'ONAIR_ERR_UNSUPPORTED')) return refuse(RejectReason.crypto, err.message);
    if (isOnAirError(err)) return refuse(RejectReason.rogue, err.message);
    throw err;
  }
  if (!(hs.extensionField & HsExtFlag.hsreq) || !srtHs) return refuse(RejectReason.rogue, 'v5 conclusion without HSREQ');
  if (srtHs.srtVersion < MIN_SRT_VERSION_HSV5) return refuse(RejectReason.version, `SRT version ${srtHs.srtVersion.toString(16)}`);
  if (srtHs.flags & SrtFlag.stream) return refuse(RejectReason.messageApi, 'stream (file) mode; OnAir takes live mode');
  if (km && hs.encryptionField !== 0 && hs.encryptionField * 8 !== km.keyLength) {
    return refuse(RejectReason.rogue, `PBKEYLEN ${hs.encryptionField * 8} does not match a ${km.keyLength}-byte key`);
  }
  return {
    ok: true,
    request: {
      callerSocketId: hs.socketId, isn: hs.isn, mss: Math.min(hs.mss, MAX_MSS), flowWindow: hs.flowWindow, hs: srtHs, streamId, km, kmBody,
      peerTimestamp,
    },
  };
}

function refuse(reason: RejectReasonCode, detail: string): ConclusionCheck {
  return { ok: false, reason, detail };
}
