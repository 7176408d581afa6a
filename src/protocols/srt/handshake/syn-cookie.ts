import { createHmac, randomBytes } from 'node:crypto';

/** A cookie is valid in the minute it was made and the next one (libsrt: "host, port and time, 1 minute"). */
const COOKIE_PERIOD_MS = 60_000;

/**
 * Stateless SYN cookies: the induction answer carries HMAC(secret, peer address, port, minute), and only a
 * conclusion that echoes a valid one makes the listener keep any state, so a flood of inductions from
 * forged or many source ports costs no memory.
 */
export class SynCookies {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  make(address: string, port: number, nowMs: number): number {
    return this.at(address, port, Math.floor(nowMs / COOKIE_PERIOD_MS));
  }

  check(cookie: number, address: string, port: number, nowMs: number): boolean {
    const period = Math.floor(nowMs / COOKIE_PERIOD_MS);
    return cookie === this.at(address, port, period) || cookie === this.at(address, port, period - 1);
  }

  private at(address: string, port: number, period: number): number {
    return createHmac('sha256', this.secret).update(`${address}|${port}|${period}`).digest().readUInt32BE(0);
  }
}
