import { MAX_LINE_LENGTH } from './limits.js';

/**
 * Bytes -> complete text lines (LF or CR: ffmpeg ends status lines with CR). A line longer than
 * MAX_LINE_LENGTH is cut there, so a process printing garbage without newlines costs bounded memory.
 */
export class LineSplitter {
  private partial = '';

  push(chunk: Buffer | string): string[] {
    const parts = (this.partial + chunk.toString()).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    const lines: string[] = [];
    for (const p of parts) if (p) lines.push(p.slice(0, MAX_LINE_LENGTH));
    while (this.partial.length > MAX_LINE_LENGTH) {
      lines.push(this.partial.slice(0, MAX_LINE_LENGTH));
      this.partial = this.partial.slice(MAX_LINE_LENGTH);
    }
    return lines;
  }
}
