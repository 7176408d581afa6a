/** What one simulated viewer received and asked for since it started; a window is the difference of two snapshots. */
export class ViewerCounters {
  /** Body bytes of 200 answers to segment, part, init and FLV requests. */
  mediaBytes = 0;
  /** Body bytes of 200 answers to playlist requests. */
  playlistBytes = 0;
  /** Body bytes of every other answer (error bodies). */
  otherBytes = 0;
  requests = 0;
  connects = 0;
  /** Responses the parser refused (the connection was dropped). */
  protocolErrors = 0;
  /** Failed requests by `<what> <status>` (status 0: no answer: socket error, closed mid-response, malformed). */
  readonly errors = new Map<string, number>();

  error(what: string, status: number): void {
    const key = `${what} ${status}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  snapshot(): CountersSnapshot {
    return {
      mediaBytes: this.mediaBytes, playlistBytes: this.playlistBytes, otherBytes: this.otherBytes, requests: this.requests,
      connects: this.connects, protocolErrors: this.protocolErrors, errors: new Map(this.errors),
    };
  }

  /** What happened since `before`. */
  since(before: CountersSnapshot): CountersSnapshot {
    const errors = new Map<string, number>();
    for (const [k, v] of this.errors) {
      const d = v - (before.errors.get(k) ?? 0);
      if (d > 0) errors.set(k, d);
    }
    return {
      mediaBytes: this.mediaBytes - before.mediaBytes, playlistBytes: this.playlistBytes - before.playlistBytes,
      otherBytes: this.otherBytes - before.otherBytes, requests: this.requests - before.requests,
      connects: this.connects - before.connects, protocolErrors: this.protocolErrors - before.protocolErrors, errors,
    };
  }
}

export interface CountersSnapshot {
  readonly mediaBytes: number;
  readonly playlistBytes: number;
  readonly otherBytes: number;
  readonly requests: number;
  readonly connects: number;
  readonly protocolErrors: number;
  readonly errors: ReadonlyMap<string, number>;
}
