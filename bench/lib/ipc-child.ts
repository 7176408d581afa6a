import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startChild, stopChild } from './children.js';

const root = resolve(import.meta.dirname, '../..');

type Message = Record<string, unknown> & { type: string };

/**
 * A benchmark's load process (a TypeScript module under bench/lib run through tsx), pinned to `cpu` and driven
 * over IPC: `ask` sends a command and resolves with the first reply of the given type. A reply `{ type: 'error' }`
 * fails the benchmark. Killed when the benchmark exits.
 */
export class IpcChild {
  private readonly child: ChildProcess;
  private readonly waiters: { type: string; resolve(msg: Message): void }[] = [];

  constructor(script: string, cpu: number) {
    this.child = startChild('taskset', ['-c', String(cpu), process.execPath, '--import', 'tsx', resolve(root, script)], ['ignore', 'inherit', 'inherit', 'ipc']);
    this.child.on('message', (msg: Message) => {
      if (msg.type === 'error') throw new Error(`${script}: ${String(msg.message)}`);
      const i = this.waiters.findIndex((w) => w.type === msg.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg);
    });
  }

  /** The load process's pid (taskset execs node, so it is node's): for its CPU time. */
  get pid(): number {
    return this.child.pid!;
  }

  /** The next message of `type` (its shape is the load process's protocol, `T`). */
  expect<T = Message>(type: string): Promise<T> {
    return new Promise((resolve) => this.waiters.push({ type, resolve: (msg) => resolve(msg as unknown as T) }));
  }

  /** Ends the load process (its sockets close with it). */
  stop(): Promise<void> {
    return stopChild(this.child);
  }

  ask<T = Message>(cmd: Record<string, unknown>, reply: string): Promise<T> {
    const p = this.expect<T>(reply);
    this.child.send(cmd);
    return p;
  }
}
