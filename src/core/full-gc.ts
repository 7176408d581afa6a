import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * One full garbage collection, now. The embedded database (PGlite) leaves about 400 MB of start-up buffers
 * behind that V8 would only free when its memory reducer runs, 20-30 s after start; a server that has just
 * started should not look (or be sized) as if it needed them. The collector is borrowed for this one call:
 * `gc` is only installed in contexts created while --expose-gc is set.
 */
export function fullGc(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  setFlagsFromString('--no-expose-gc');
  if (typeof gc === 'function') (gc as () => void)();
}
