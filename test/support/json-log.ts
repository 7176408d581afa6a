/**
 * A server's structured log (its stdout, one JSON object per line) as objects; lines that are not JSON (a start
 * banner, a line cut by the process's end) are empty objects, so a search over the result simply skips them.
 */
export function jsonLogLines<T extends object>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try {
      return JSON.parse(l) as T;
    } catch {
      return {} as T;
    }
  });
}
