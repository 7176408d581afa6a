import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * No import cycle in src/, between files or between modules (src/<layer>/<module>, e.g. services/streams):
 * a cycle means two parts that cannot be understood, tested or moved apart. Type-only imports count too.
 * Tests and testing/ helpers are left out (they may import anything below them).
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' || e.name === 'testdata' || e.name === 'vendor' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    const edges = new Set<string>();
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      edges.add(relative(SRC, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
    }
    graph.set(from, edges);
  }
  return graph;
}

/**
 * The module of a file: its first two folders under src (`services/streams`). A file directly in a layer
 * folder (`codecs/limits.ts`, `hub/publisher.ts`) is a module of its own: a layer's root holds both its
 * shared base (limits) and its aggregate (index), which sit below and above its sub-modules.
 */
function moduleOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file.replace(/\.ts$/, '');
}

/** Strongly connected components with more than one member (Tarjan), each sorted. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('no import cycle between files of src/', () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, `read ${graph.size} files`);
  assert.deepEqual(cycles(graph), []);
});

test('no import cycle between modules of src/ (src/<layer>/<module>)', () => {
  const modules = new Map<string, Set<string>>();
  for (const [file, imports] of importGraph()) {
    const from = moduleOf(file);
    const edges = modules.get(from) ?? new Set<string>();
    for (const target of imports) if (moduleOf(target) !== from) edges.add(moduleOf(target));
    modules.set(from, edges);
  }
  assert.ok(modules.has('services/streams') && modules.has('protocols/hls'));
  assert.deepEqual(cycles(modules), []);
});
