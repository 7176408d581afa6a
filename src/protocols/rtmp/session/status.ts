/**
 * NetConnection / NetStream status codes the server sends. A refusal is always an onStatus with level
 * "error" (ffmpeg aborts on it: libavformat/rtmpproto.c handle_invoke_status) followed by a close.
 */
export const Status = {
  connectSuccess: 'NetConnection.Connect.Success',
  connectRejected: 'NetConnection.Connect.Rejected',
  publishStart: 'NetStream.Publish.Start',
  publishBadName: 'NetStream.Publish.BadName',
  publishUnauthorized: 'NetStream.Publish.Unauthorized',
  unpublishSuccess: 'NetStream.Unpublish.Success',
  playReset: 'NetStream.Play.Reset',
  playStart: 'NetStream.Play.Start',
  playStop: 'NetStream.Play.Stop',
  playStreamNotFound: 'NetStream.Play.StreamNotFound',
  playFailed: 'NetStream.Play.Failed',
  playUnpublishNotify: 'NetStream.Play.UnpublishNotify',
  playPublishNotify: 'NetStream.Play.PublishNotify',
  pauseNotify: 'NetStream.Pause.Notify',
  unpauseNotify: 'NetStream.Unpause.Notify',
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];
