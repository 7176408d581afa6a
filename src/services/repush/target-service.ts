import { OnAirError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import { newId } from '../random-ids.js';
import { MAX_TARGETS_PER_STREAM } from './limits.js';
import type { RepushService } from './repush-service.js';
import { checkRendition, checkStreamKey, checkTargetUrl } from './target-input.js';
import { TargetStore } from './target-store.js';
import { SOURCE_RENDITION, type TargetRecord, type TargetStatus } from './target-types.js';

export interface TargetInput {
  readonly url?: string;
  readonly streamKey?: string;
  readonly enabled?: boolean;
  readonly rendition?: string;
  readonly tlsVerify?: boolean;
}

/** A target with what it is doing now. */
export interface TargetWithStatus {
  readonly target: TargetRecord;
  readonly status: TargetStatus;
}

export interface TargetServiceDeps {
  readonly db: Database;
  readonly repush: RepushService;
  /** Whether the stream exists (StreamService.get). */
  readonly streamExists: (streamId: string) => Promise<boolean>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * The `targets` of a stream (the API's `/api/v1/streams/:id/targets`): validation, storage, and the live
 * session told of every change at once. Returns null for an unknown stream or target (the caller's 404).
 */
export class TargetService {
  private readonly store: TargetStore;

  constructor(private readonly deps: TargetServiceDeps) {
    this.store = new TargetStore(deps.db);
  }

  async create(streamId: string, input: TargetInput & { url: string; streamKey: string }): Promise<TargetWithStatus | null> {
    if (!(await this.deps.streamExists(streamId))) return null;
    if ((await this.store.countForStream(streamId)) >= MAX_TARGETS_PER_STREAM) {
      throw new OnAirError('ONAIR_ERR_LIMIT', `at most ${MAX_TARGETS_PER_STREAM} targets per stream`);
    }
    const target = await this.store.insert(newId('tgt'), streamId, {
      url: checkTargetUrl(input.url), streamKey: checkStreamKey(input.streamKey), enabled: input.enabled ?? true,
      rendition: checkRendition(input.rendition ?? SOURCE_RENDITION), tlsVerify: input.tlsVerify ?? true,
    }, this.now());
    this.deps.logger.info({ streamId, targetId: target.id, enabled: target.enabled, rendition: target.rendition }, 'target created');
    await this.deps.repush.reload(streamId);
    return this.withStatus(target);
  }

  async list(streamId: string): Promise<TargetWithStatus[] | null> {
    if (!(await this.deps.streamExists(streamId))) return null;
    return (await this.store.listForStream(streamId)).map((t) => this.withStatus(t));
  }

  async get(streamId: string, id: string): Promise<TargetWithStatus | null> {
    const target = await this.store.get(streamId, id);
    return target && this.withStatus(target);
  }

  /** Any change applies to a live stream at once: disable stops the push, enable starts it, others restart it. */
  async update(streamId: string, id: string, input: TargetInput): Promise<TargetWithStatus | null> {
    const cur = await this.store.get(streamId, id);
    if (!cur) return null;
    const target = await this.store.update(streamId, id, {
      url: input.url === undefined ? cur.url : checkTargetUrl(input.url),
      streamKey: input.streamKey === undefined ? cur.streamKey : checkStreamKey(input.streamKey),
      enabled: input.enabled ?? cur.enabled,
      rendition: input.rendition === undefined ? cur.rendition : checkRendition(input.rendition),
      tlsVerify: input.tlsVerify ?? cur.tlsVerify,
    }, this.now());
    if (!target) return null;
    this.deps.logger.info({ streamId, targetId: id, enabled: target.enabled, keyChanged: input.streamKey !== undefined }, 'target updated');
    await this.deps.repush.reload(streamId);
    return this.withStatus(target);
  }

  async delete(streamId: string, id: string): Promise<boolean> {
    if (!(await this.store.delete(streamId, id))) return false;
    this.deps.repush.forget(id);
    this.deps.logger.info({ streamId, targetId: id }, 'target deleted');
    await this.deps.repush.reload(streamId);
    return true;
  }

  private withStatus(target: TargetRecord): TargetWithStatus {
    return { target, status: this.deps.repush.status(target) };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
