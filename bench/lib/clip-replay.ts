import { readFileSync } from 'node:fs';
import { FlvReader, type FlvTag } from '../../src/formats/flv/index.js';
import { ChunkWriter, Csid } from '../../src/protocols/rtmp/index.js';

/** The reference clip's tags for an RTMP publisher that loops it. */
export interface ClipTags {
  readonly media: readonly FlvTag[];
  readonly script: FlvTag | undefined;
  /**
   * One loop's length in ms: the largest timestamp plus a video frame. (Not the last tag's: the clip's audio runs
   * ~60 ms past its last video frame, and a loop that started before the previous one's audio ended would step
   * the audio timestamps back.)
   */
  readonly loopMs: number;
}

export function clipTags(clip: string): ClipTags {
  const { tags } = new FlvReader().push(readFileSync(clip));
  const media = tags.filter((t) => t.typeId === 8 || t.typeId === 9);
  const loopMs = media.reduce((max, t) => Math.max(max, t.timestamp), 0) + 33;
  return { media, script: tags.find((t) => t.typeId === 18), loopMs };
}

/** An AVC or AAC sequence header: sent once, before the first loop, as an encoder sends it. */
export function isConfig(t: FlvTag): boolean {
  return (t.typeId === 9 && (t.body[0]! & 0x0f) === 7 && t.body[1] === 0) || (t.typeId === 8 && t.body[0]! >> 4 === 10 && t.body[1] === 0);
}

/** One message's chunk bytes and its timestamp within its loop. */
export interface LoopMessage {
  readonly bytes: Buffer;
  readonly ts: number;
}

/** Loop `loop` of the clip through `w` (configs only in loop 0), timestamps carried on by whole loops. */
export function serializeLoop(w: ChunkWriter, clip: ClipTags, loop: number, streamId: number): LoopMessage[] {
  const out: LoopMessage[] = [];
  for (const t of clip.media) {
    if (loop > 0 && isConfig(t)) continue;
    const ts = t.timestamp + loop * clip.loopMs;
    out.push({ bytes: w.write({ csid: t.typeId === 9 ? Csid.video : Csid.audio, typeId: t.typeId, streamId, timestamp: ts, payload: t.body }), ts: t.timestamp });
  }
  return out;
}

/**
 * The first loop and the steady loop of the clip as one publisher sends them with chunk size `chunkSize`. With delta
 * headers the chunk bytes of every loop after the first are the same (checked here: the loop after the steady one is
 * serialized too and compared), so replaying the steady bytes again and again is a valid stream whose timestamps
 * keep rising.
 */
export function replayLoops(clip: ClipTags, chunkSize: number, streamId: number): { first: Buffer; steady: LoopMessage[]; steadyBytes: Buffer } {
  const w = new ChunkWriter({ chunkSize });
  const first = Buffer.concat(serializeLoop(w, clip, 0, streamId).map((m) => m.bytes));
  const steady = serializeLoop(w, clip, 1, streamId);
  const steadyBytes = Buffer.concat(steady.map((m) => m.bytes));
  if (!steadyBytes.equals(Buffer.concat(serializeLoop(w, clip, 2, streamId).map((m) => m.bytes)))) {
    throw new Error('the clip\'s steady loop does not repeat byte for byte: it cannot be replayed');
  }
  return { first, steady, steadyBytes };
}
