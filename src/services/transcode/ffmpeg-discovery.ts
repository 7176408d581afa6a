import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { VERSION_PROBE_TIMEOUT_MS } from './limits.js';

export interface FfmpegFound {
  readonly found: true;
  readonly path: string;
  /** First line of `ffmpeg -version`'s version field, e.g. `5.1.9-0+deb12u1`. */
  readonly version: string;
  readonly from: 'config' | 'path' | 'bundled';
  /** Candidates tried before this one and why each failed (a configured path that did not answer: worth a warning). */
  readonly skipped: readonly string[];
}

export interface FfmpegMissing {
  readonly found: false;
  /** What was tried and why it failed, for the warning and the API status. */
  readonly tried: readonly string[];
}

export type FfmpegDiscovery = FfmpegFound | FfmpegMissing;

export interface DiscoveryInput {
  /** config.ffmpegPath (also set by the FFMPEG_PATH env var). */
  readonly configuredPath: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Resolves a bundled build's binary (e.g. @ffmpeg-installer/ffmpeg's `path`); undefined when none. */
  readonly bundled?: () => Promise<string | undefined>;
}

/**
 * Finds ffmpeg: the configured path (FFMPEG_PATH), then `ffmpeg` on PATH, then a bundled npm build. Each
 * candidate must answer `-version`, so a broken binary is skipped rather than failing every stream later.
 */
export async function discoverFfmpeg(input: DiscoveryInput): Promise<FfmpegDiscovery> {
  const env = input.env ?? process.env;
  const tried: string[] = [];
  const candidates: { path: string | undefined; from: FfmpegFound['from']; label: string }[] = [];
  if (input.configuredPath) candidates.push({ path: input.configuredPath, from: 'config', label: `configured ${input.configuredPath}` });
  candidates.push({ path: whichOnPath('ffmpeg', env.PATH ?? ''), from: 'path', label: 'ffmpeg on PATH' });
  for (const c of candidates) {
    if (!c.path) {
      tried.push(`${c.label}: not found`);
      continue;
    }
    const version = await probeVersion(c.path);
    if (version.ok) return { found: true, path: c.path, version: version.version, from: c.from, skipped: tried };
    tried.push(`${c.label}: ${version.error}`);
  }
  const bundled = await (input.bundled ?? bundledFfmpegInstaller)().catch(() => undefined);
  if (bundled) {
    const version = await probeVersion(bundled);
    if (version.ok) return { found: true, path: bundled, version: version.version, from: 'bundled', skipped: tried };
    tried.push(`bundled ${bundled}: ${version.error}`);
  } else tried.push('bundled build: not installed');
  return { found: false, tried };
}

/** The first executable `name` in the PATH list, as an absolute path. */
export function whichOnPath(name: string, pathList: string): string | undefined {
  for (const dir of pathList.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue; // a relative PATH entry would make the binary depend on the cwd
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // next
    }
  }
  return undefined;
}

function probeVersion(path: string): Promise<{ ok: true; version: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    execFile(path, ['-hide_banner', '-version'], { timeout: VERSION_PROBE_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) return resolve({ ok: false, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : err.message.split('\n')[0]! });
      const m = /^ffmpeg version (\S+)/m.exec(stdout);
      if (!m) return resolve({ ok: false, error: 'not an ffmpeg binary (no version line)' });
      resolve({ ok: true, version: m[1]! });
    });
  });
}

/**
 * `@ffmpeg-installer/ffmpeg` (a per-platform static build, optional): its `path` export when installed.
 * Imported by a computed name so the project builds and runs without it.
 */
async function bundledFfmpegInstaller(): Promise<string | undefined> {
  const name = '@ffmpeg-installer/ffmpeg';
  const mod = (await import(name)) as { path?: string; default?: { path?: string } };
  return mod.path ?? mod.default?.path;
}
