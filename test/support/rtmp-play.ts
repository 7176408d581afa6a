import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';

/** One RTMP play of `url` with OnAir's client: 'played' once the server starts playing, else the refusal's message. */
export async function rtmpPlayOutcome(url: string): Promise<'played' | string> {
  const client = await RtmpClient.connect(url, {}, { timeoutMs: 5000 });
  try {
    await client.play();
    return 'played';
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.destroy();
  }
}
