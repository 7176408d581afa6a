import type { Command } from 'commander';

/** What the CLI's API caller looks like (onair-cli.ts `call`). */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

interface TargetJson {
  id: string;
  url: string;
  streamKey: string;
  enabled: boolean;
  rendition: string;
  status: string;
  lastError: { class: string; message: string } | null;
  bitrateOut: number;
  droppedFrames: number;
}

function line(t: TargetJson): string {
  const err = t.lastError ? `  last error: ${t.lastError.class} (${t.lastError.message})` : '';
  const rate = t.status === 'live' ? `  ${Math.round(t.bitrateOut / 1000)} kb/s` : '';
  return `${t.id}  ${(t.enabled ? t.status : 'disabled').padEnd(12)}  ${t.rendition.padEnd(8)}  ${t.url}  key ${t.streamKey}${rate}${err}`;
}

/** `onair targets list|add|enable|disable|delete`: a stream's re-push destinations. */
export function addTargetsCommands(program: Command, call: ApiCall, out: (line: string) => void): void {
  const path = (streamId: string, targetId?: string) =>
    `/streams/${encodeURIComponent(streamId)}/targets${targetId ? `/${encodeURIComponent(targetId)}` : ''}`;
  const targets = program.command('targets').description("manage a stream's re-push targets (YouTube, Twitch, another server...)");
  targets.command('list <streamId>').description('targets with their live status (keys masked)')
    .action(async (streamId: string) => {
      const { data } = await call('GET', path(streamId)) as { data: TargetJson[] };
      for (const t of data) out(line(t));
      if (data.length === 0) out('(no targets)');
    });
  targets.command('add <streamId>').description('push the stream to an RTMP(S) ingest while it is live')
    .requiredOption('--url <url>', 'ingest server, e.g. rtmp://a.rtmp.youtube.com/live2')
    .requiredOption('--key <streamKey>', "the platform's stream key")
    .option('--rendition <name>', '"source" or a ladder rung name', 'source')
    .option('--no-tls-verify', 'rtmps: do not verify the certificate (self-signed ingests)')
    .option('--disabled', 'create it disabled')
    .action(async (streamId: string, o: { url: string; key: string; rendition: string; tlsVerify: boolean; disabled?: boolean }) => {
      const t = await call('POST', path(streamId), { url: o.url, streamKey: o.key, rendition: o.rendition, tlsVerify: o.tlsVerify, enabled: !o.disabled }) as TargetJson;
      out(line(t));
    });
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    targets.command(`${name} <streamId> <targetId>`).description(`${name} a target (takes effect at once on a live stream)`)
      .action(async (streamId: string, targetId: string) => out(line(await call('PATCH', path(streamId, targetId), { enabled }) as TargetJson)));
  }
  targets.command('delete <streamId> <targetId>').description('delete a target')
    .action(async (streamId: string, targetId: string) => {
      await call('DELETE', path(streamId, targetId));
      out(`deleted ${targetId}`);
    });
}
