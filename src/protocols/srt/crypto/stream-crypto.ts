import { randomBytes } from 'node:crypto';
import { CIPHER_AES_CTR, KmState, WRAP_OVERHEAD, type KeyFlags, type KeyMaterialMessage } from '../packet/key-material.js';
import type { KeyFlagValue } from '../packet/packet.js';
import { DEFAULT_KM_PREANNOUNCE_PACKETS, DEFAULT_KM_REFRESH_PACKETS } from '../limits.js';
import { deriveKek, unwrapKeys, wrapKeys } from './key-wrap.js';
import { ctrTransform } from './payload-cipher.js';

/** Slot 0 is the even key (KK = 01), slot 1 the odd key (KK = 10). */
type Slot = 0 | 1;

export interface KeyRefreshOptions {
  /** Packets sent with one key before switching (libsrt SRTO_KMREFRESHRATE). */
  readonly refreshPackets: number;
  /** Packets before the switch that the next key is announced, and after it that the old one is dropped. */
  readonly preAnnouncePackets: number;
}

export const DEFAULT_KEY_REFRESH: KeyRefreshOptions = {
  refreshPackets: DEFAULT_KM_REFRESH_PACKETS,
  preAnnouncePackets: DEFAULT_KM_PREANNOUNCE_PACKETS,
};

/**
 * The keys of one encrypted connection: what decrypts the peer's packets (rx) and what encrypts ours (tx),
 * each an even/odd pair. A listener gets both from the caller's KMREQ (HSv5 "reverse KMX": our sending keys
 * are a clone of the caller's), and as a sender refreshes its own: the next key is announced in a KMREQ
 * before the switch, and the old one forgotten after it (haicrypt hcrypt_ctx_tx.c).
 */
export class StreamCrypto {
  private readonly rx: [Buffer | null, Buffer | null] = [null, null];
  private readonly tx: [Buffer | null, Buffer | null] = [null, null];
  private txActive: Slot = 0;
  private txPackets = 0;
  private txState: 'steady' | 'announced' | 'switched' = 'steady';
  private kek: { salt: Buffer; key: Buffer };

  private constructor(
    private readonly passphrase: string,
    private salt: Buffer,
    readonly keyLength: 16 | 24 | 32,
    kek: Buffer,
    private readonly refresh: KeyRefreshOptions,
  ) {
    this.kek = { salt, key: kek };
  }

  /**
   * Installs the caller's keying material as a listener does (given the KEK derived from its salt).
   * Returns null when the passphrase does not unwrap it.
   */
  static fromCallerKeyMaterial(passphrase: string, km: KeyMaterialMessage, kek: Buffer, refresh = DEFAULT_KEY_REFRESH): StreamCrypto | null {
    const c = new StreamCrypto(passphrase, Buffer.from(km.salt), km.keyLength, kek, refresh);
    if (c.acceptKeyMaterial(km) !== KmState.secured) return null;
    // Reverse KMX: we send with the keys the caller sends with.
    c.tx[0] = c.rx[0];
    c.tx[1] = c.rx[1];
    c.txActive = c.tx[0] ? 0 : 1;
    return c;
  }

  /** A KMREQ from the peer (in the handshake or a later refresh): installs the keys it carries. */
  acceptKeyMaterial(km: KeyMaterialMessage): number {
    if (km.cipher !== CIPHER_AES_CTR) return KmState.badCryptoMode;
    if (!km.salt.equals(this.kek.salt) || this.kek.key.length !== km.keyLength) {
      this.kek = { salt: Buffer.from(km.salt), key: deriveKek(this.passphrase, km.salt, km.keyLength) };
      this.salt = this.kek.salt;
    }
    const keys = unwrapKeys(this.kek.key, km.wrap);
    if (!keys || keys.length !== km.wrap.length - WRAP_OVERHEAD) return KmState.badSecret;
    if (km.keyFlags === 3) {
      this.rx[0] = keys.subarray(0, km.keyLength);
      this.rx[1] = keys.subarray(km.keyLength);
    } else {
      this.rx[km.keyFlags === 1 ? 0 : 1] = keys;
    }
    return KmState.secured;
  }

  /** Decrypts a received payload; null when the packet names a key we do not have. */
  decrypt(seq: number, keyFlag: KeyFlagValue, payload: Buffer): Buffer | null {
    if (keyFlag === 0) return payload;
    const key = this.rx[keyFlag === 1 ? 0 : 1];
    return key ? ctrTransform(key, this.salt, seq, payload) : null;
  }

  /** Encrypts an outgoing payload with the active key; `announce` is set when a KMREQ must go out now. */
  encrypt(seq: number, payload: Buffer): { keyFlag: KeyFlagValue; payload: Buffer; announce: KeyMaterialMessage | null } {
    const announce = this.advanceRefresh();
    const keyFlag: KeyFlagValue = this.txActive === 0 ? 1 : 2;
    return { keyFlag, payload: ctrTransform(this.tx[this.txActive]!, this.salt, seq, payload), announce };
  }

  /** The KM message describing our current sending keys (what a refresh KMREQ carries). */
  txKeyMaterial(): KeyMaterialMessage {
    const even = this.tx[0];
    const odd = this.tx[1];
    const keyFlags: KeyFlags = even && odd ? 3 : even ? 1 : 2;
    const keys = keyFlags === 3 ? Buffer.concat([even!, odd!]) : (even ?? odd)!;
    return { keyFlags, cipher: CIPHER_AES_CTR, salt: this.salt, keyLength: this.keyLength, wrap: wrapKeys(this.kek.key, keys) };
  }

  /** Counts a packet sent with the active key and moves through announce, switch and retire. */
  private advanceRefresh(): KeyMaterialMessage | null {
    const { refreshPackets, preAnnouncePackets } = this.refresh;
    this.txPackets++;
    const alt: Slot = this.txActive === 0 ? 1 : 0;
    if (this.txState === 'steady' && this.txPackets > refreshPackets - preAnnouncePackets) {
      this.tx[alt] = randomBytes(this.keyLength);
      this.txState = 'announced';
      return this.txKeyMaterial();
    }
    if (this.txState === 'announced' && this.txPackets > refreshPackets) {
      this.txActive = alt;
      this.txPackets = 0;
      this.txState = 'switched';
      return null;
    }
    if (this.txState === 'switched' && this.txPackets > preAnnouncePackets) {
      this.tx[alt] = null;
      this.txState = 'steady';
      return this.txKeyMaterial();
    }
    return null;
  }
}
