/** The messages between the `--workers` primary and its workers (node:cluster IPC). */
export type WorkerMessage =
  | { onair: 'ready'; index: number; ports: { rtmp: number; http: number; srt: number | null; internal: { rtmp: number; http: number } } }
  | { onair: 'own'; path: string }
  | { onair: 'disown'; path: string }
  | { onair: 'locate'; id: number; path: string };

export type PrimaryMessage =
  | { onair: 'located'; id: number; owner: WorkerOwner | undefined }
  | { onair: 'stop' };

/** A stream's owner as the primary answers a worker: an OwnerAddress plus its internal HTTP base (HLS). */
export interface WorkerOwner {
  nodeId: string;
  rtmpUrl: string;
  httpUrl: string;
}

export function isOnAirMessage(m: unknown): m is { onair: string } {
  return typeof m === 'object' && m !== null && typeof (m as { onair?: unknown }).onair === 'string';
}
