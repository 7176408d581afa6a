import { rawGet } from './raw-http.js';
import { sleep } from './proc.js';

/**
 * A player as HLS players are: the master, then the source's media playlist every `reloadMs` and each segment it lists
 * that it has not fetched (from the newest two at the start), each request on a new connection to the next of `ports`
 * in turn. Counts the body bytes of its 200 answers.
 */
export class HlsFollower {
  bytes = 0;
  requests = 0;
  readonly failures: string[] = [];
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(private readonly playbackId: string, private readonly agent: string, private readonly ports: readonly number[], private readonly reloadMs = 400) {}

  start(): this {
    this.done = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async get(path: string): Promise<string | undefined> {
    const port = this.ports[this.requests++ % this.ports.length]!;
    const answer = await rawGet(port, path, `User-Agent: ${this.agent}\r\n`).catch((err: Error) => ({ status: 0, body: Buffer.from(err.message) }));
    if (answer.status !== 200) {
      if (!this.stopped) this.failures.push(`${answer.status} ${path} on ${port}`);
      return undefined;
    }
    this.bytes += answer.body.length;
    return answer.body.toString('latin1');
  }

  private async run(): Promise<void> {
    const base = `/hls/${this.playbackId}/`;
    await this.get(`${base}index.m3u8`);
    const fetched = new Set<string>();
    let first = true;
    while (!this.stopped) {
      const playlist = await this.get(`${base}src/media.m3u8`);
      if (playlist) {
        const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
        const segments = [...playlist.matchAll(/^(seg-[^\s]+\.m4s)$/gm)].map((m) => m[1]!);
        const wanted = [...(init ? [init] : []), ...(first ? segments.slice(-2) : segments)];
        first = false;
        for (const uri of wanted) {
          if (fetched.has(uri)) continue;
          fetched.add(uri);
          await this.get(`${base}src/${uri}`);
        }
      }
      await sleep(this.reloadMs);
    }
  }
}
