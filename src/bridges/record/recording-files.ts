import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OnAirError } from '../../core/errors.js';
import { buildMfra, encodeMehdDuration, mehdDurationOffset } from '../../formats/fmp4/index.js';
import { renderMediaPlaylist } from '../../formats/m3u8/index.js';
import { MAX_INIT_BYTES, MAX_JOURNAL_BYTES } from './limits.js';
import { readJournal } from './recording-journal.js';
import { RecordingFile, type FileIo } from './recording-file.js';
import type { RecordingIndex } from './recording-index.js';

/** The files of one recording, in its own directory. */
export const MEDIA_FILE = 'recording.mp4';
export const JOURNAL_FILE = 'segments.jsonl';

/** Opens a file for a recording; tests pass their own to play a slow or full disk. */
export type OpenFile = (path: string, flags: 'w' | 'a' | 'r+') => Promise<FileIo>;

export const openFile: OpenFile = async (path, flags) => open(path, flags);

/** Creates the directory, then opens the file in it: a RecordingFile can queue writes before that is done. */
export async function openInDir(dir: string, name: string, flags: 'w' | 'a', opener: OpenFile): Promise<FileIo> {
  await mkdir(dir, { recursive: true });
  return opener(join(dir, name), flags);
}

/**
 * Ends a recording file: cuts anything after the last whole fragment the index knows (a write that failed
 * half way, or a fragment written but not journaled before a crash), sets the movie duration in the mehd
 * in place, appends the mfra, syncs and closes. Best effort after a write error (a full disk may refuse
 * the mfra; the file stays playable without it). Returns the file's final length.
 */
export async function finishRecordingFile(file: RecordingFile, index: RecordingIndex, mehdOffset: number | undefined): Promise<number> {
  index.closeSegment();
  // Not even the init segment written (the disk was full from the start): nothing to finish.
  const end = file.committedBytes < index.initBytes ? 0 : Math.min(index.bytes, file.committedBytes);
  file.truncate(end);
  if (end > 0) {
    if (mehdOffset !== undefined) file.patch(mehdOffset, encodeMehdDuration(index.spanMs));
    const access = index.randomAccess();
    if (access.length > 0) file.append([buildMfra(access)]);
  }
  file.sync();
  await file.close();
  return file.failed ? end : file.committedBytes;
}

/** The segment index of a recording on disk (from its journal), or undefined when nothing was recorded. */
export async function readIndex(dir: string): Promise<RecordingIndex | undefined> {
  const journalPath = join(dir, JOURNAL_FILE);
  const size = (await stat(journalPath).catch(() => undefined))?.size;
  if (size === undefined) return undefined;
  if (size > MAX_JOURNAL_BYTES) throw new OnAirError('ONAIR_ERR_LIMIT', `journal of ${size} bytes exceeds ${MAX_JOURNAL_BYTES}`);
  return readJournal(await readFile(journalPath, 'utf8'));
}

/** The index and init segment of a recording on disk, or undefined when nothing was recorded. */
export async function readRecording(dir: string): Promise<{ index: RecordingIndex; init: Buffer } | undefined> {
  const index = await readIndex(dir);
  if (!index) return undefined;
  if (index.initBytes > MAX_INIT_BYTES) throw new OnAirError('ONAIR_ERR_LIMIT', `init segment of ${index.initBytes} bytes`);
  const media = await open(join(dir, MEDIA_FILE), 'r');
  try {
    const init = Buffer.alloc(index.initBytes);
    const { bytesRead } = await media.read(init, 0, init.length, 0);
    if (bytesRead < init.length) throw new OnAirError('ONAIR_ERR_TRUNCATED', `recording shorter than its init segment (${bytesRead} bytes)`);
    return { index, init };
  } finally {
    await media.close();
  }
}

export interface RecoveredRecording {
  readonly durationMs: number;
  readonly bytes: number;
}

/**
 * Finishes a recording a crash left open: what the journal lists stays (everything up to the last fragment
 * whose write completed), the tail after it goes, then the same ending as a clean stop.
 */
export async function recoverRecording(dir: string, opener: OpenFile = openFile): Promise<RecoveredRecording | undefined> {
  const found = await readRecording(dir);
  if (!found) return undefined;
  const { index, init } = found;
  const file = new RecordingFile(opener(join(dir, MEDIA_FILE), 'r+'), index.bytes, Number.MAX_SAFE_INTEGER);
  const bytes = await finishRecordingFile(file, index, mehdDurationOffset(init));
  if (file.failed) throw file.failed;
  return { durationMs: index.durationMs, bytes };
}

/** The VOD playlist of a finished recording, its media at `mediaUri`; undefined when nothing was recorded. */
export async function vodPlaylist(dir: string, mediaUri: string): Promise<string | undefined> {
  const index = await readIndex(dir);
  if (!index) return undefined;
  index.closeSegment();
  return renderMediaPlaylist(index.playlist(mediaUri, true));
}
