/**
 * The load-process side of IpcChild: a bench load process (load-generator, flood-publishers, http-viewers) answers
 * its parent's commands here, so each one states only what its commands do. A failed command is reported as
 * `{ type: 'error' }` (which fails the benchmark in IpcChild) instead of dying silently; `stop` closes the process's
 * sockets through `onStop`, answers `stopped` and exits.
 */
export function sendToParent(msg: unknown): void {
  process.send?.(msg);
}

export function serveCommands<C extends { type: string }>(handle: (cmd: C) => unknown, onStop: () => void): void {
  process.on('message', (cmd: C) => {
    void (async () => {
      if (cmd.type !== 'stop') return handle(cmd);
      onStop();
      sendToParent({ type: 'stopped' });
      // Let the answer reach the parent before the channel closes.
      setTimeout(() => process.exit(0), 100);
    })().catch((err: unknown) => {
      sendToParent({ type: 'error', message: String((err as Error)?.stack ?? err) });
    });
  });
  sendToParent({ type: 'ready' });
}
