import { Agent, request } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HealthListItemSchema } from './schemas/health-schemas.js';
import { forwardHeaders } from './owner-forward.js';

type HealthListItem = Static<typeof HealthListItemSchema>;

/** How long a node's list is waited for (the dashboard asks every 5 s); a node that has not answered by then is left out. */
export const NODE_LIST_TIMEOUT_MS = 2_000;
/** A node's list larger than this is refused (10,000 streams are about 2 MB). */
const MAX_LIST_BYTES = 8 * 1024 * 1024;

/**
 * Its own pool and GET, not owner-forward's, on purpose. owner-forward passes an owner's answer through as it comes:
 * a health feed (SSE) holds its socket as long as its viewer watches, so that pool takes 256 per node and only the
 * answer's head is timed, the body neither bounded nor parsed. A list is read whole, bounded in bytes and in time, and
 * parsed; in one pool with the feeds, a node's open feeds could hold every socket and queue the list's request past
 * NODE_LIST_TIMEOUT_MS, so the dashboard's list would leave that node out. A shared "bounded JSON GET" would have
 * this one caller: owner-forward reads no body.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 4 });
const listAnswer = TypeCompiler.Compile(Type.Object({ data: Type.Array(HealthListItemSchema) }));

/** A node's `/api/v1/health` answer, checked against the list's schema: its lines, or undefined when it is not one. */
export function healthListOf(body: unknown): HealthListItem[] | undefined {
  return listAnswer.Check(body) ? body.data : undefined;
}

/** A node of the registry as the list needs it. */
export interface ListedNode {
  readonly nodeId: string;
  readonly httpUrl: string;
}

/**
 * The distinct API bases to ask for their lists: every live node but this one and (`here`) this machine's other
 * workers, whose lists come over IPC. The workers of another machine advertise its one shared port: asked once.
 */
export function otherNodeBases(nodes: readonly ListedNode[], here: (nodeId: string) => boolean): Map<string, string> {
  const bases = new Map<string, string>();
  for (const n of nodes) if (n.httpUrl && !here(n.nodeId) && !bases.has(n.httpUrl)) bases.set(n.httpUrl, n.nodeId);
  return bases;
}

/**
 * --cluster: the other nodes' own stream lists, for `/api/v1/health` to answer for the cluster. The registry names the
 * live nodes; each is asked at its advertised HTTP base, in parallel, with the caller's token (one database: the same
 * on every node) and the node hop header (it answers its own list, and gathers no further). A node that gives no
 * valid list within NODE_LIST_TIMEOUT_MS is left out of this answer, logged and counted (`missing`).
 */
export class ClusterHealthList {
  /** Nodes left out of a list since start (onair_health_list_nodes_missing_total). */
  missing = 0;

  constructor(
    private readonly nodes: () => Promise<readonly ListedNode[]>,
    private readonly here: (nodeId: string) => boolean,
    private readonly timeoutMs = NODE_LIST_TIMEOUT_MS,
  ) {}

  async others(req: FastifyRequest): Promise<{ parts: HealthListItem[][]; missing: number }> {
    let nodes: readonly ListedNode[];
    try {
      nodes = await this.nodes();
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'stream list: the cluster registry could not be read: this node\'s streams alone');
      return { parts: [], missing: 0 };
    }
    const headers = forwardHeaders(req, 'node');
    const asked = [...otherNodeBases(nodes, this.here)].map(async ([base, nodeId]) => {
      try {
        const list = healthListOf(await getJson(`${base}${req.url}`, headers, this.timeoutMs));
        if (list) return list;
        req.log.warn({ node: nodeId }, 'stream list: a node answered something other than a stream list: its streams are missing from this answer');
      } catch (err) {
        req.log.warn({ node: nodeId, err: (err as Error).message }, 'stream list: a node did not answer: its streams are missing from this answer');
      }
      return undefined;
    });
    const parts: HealthListItem[][] = [];
    for (const list of await Promise.all(asked)) if (list) parts.push(list);
    const missing = asked.length - parts.length;
    this.missing += missing;
    return { parts, missing };
  }
}

/** GET `url` as JSON: a 200 within `timeoutMs` and MAX_LIST_BYTES, or a rejection saying why not. */
function getJson(url: string, headers: Record<string, string>, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent, headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(new Error(`status ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_LIST_BYTES) fail(new Error(`a list over ${MAX_LIST_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
        } catch {
          reject(new Error('not JSON'));
        }
      });
      res.on('error', fail);
    });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
      req.destroy();
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', fail);
    req.end();
  });
}
