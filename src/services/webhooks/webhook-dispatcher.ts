import type { Logger } from '../../core/logger.js';
import type { Database, Queryable } from '../../db/database.js';
import { newId } from '../random-ids.js';
import type { StreamEventData, StreamEventType, TransactionalEventPublisher } from '../streams/stream-events.js';
import type { DeferredWrites } from '../streams/deferred-writes.js';
import { WebhookDeliveryStore, type ClaimedDelivery } from './webhook-delivery-store.js';
import { WebhookEndpointStore } from './webhook-endpoint-store.js';
import { signWebhook } from './webhook-signature.js';
import type { WebhookDeliveryRecord } from './webhook-types.js';
import * as L from './limits.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import { postWebhook } from './webhook-post.js';
import { WebhookTargetPolicy } from './target-policy.js';

export interface WebhookDispatcherOptions {
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  /**
   * Longest sleep between worker passes, for deliveries another instance queued in a shared database.
   * `Infinity`: no polling, the worker wakes only for its own events and due retries (an embedded database
   * has no other writer).
   */
  readonly pollIntervalMs?: number;
}

export interface WebhookDispatcherDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly options?: WebhookDispatcherOptions;
  readonly now?: () => Date;
  /** Where deliveries may go; default: public addresses only. */
  readonly targets?: WebhookTargetPolicy;
  /** Where events wait while PostgreSQL is unavailable (queued with their time and id); without it they are lost. */
  readonly writes?: DeferredWrites;
}

/**
 * Turns events into persisted deliveries (one per subscribed endpoint, in one transaction) and a worker
 * that sends them: signed POSTs, exponential backoff with a cap, a lease so a crash loses nothing.
 * `publish` never throws (a lost webhook must not fail a publish or an API call); it logs instead.
 */
export class WebhookDispatcher implements TransactionalEventPublisher {
  private readonly deliveries: WebhookDeliveryStore;
  private readonly endpoints: WebhookEndpointStore;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly opt: Required<WebhookDispatcherOptions>;
  private readonly targets: WebhookTargetPolicy;
  private readonly closing = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private started = false;
  private databaseDown = false;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    this.deliveries = new WebhookDeliveryStore(deps.db);
    this.endpoints = new WebhookEndpointStore(deps.db);
    this.log = deps.logger.child({ module: 'webhooks' });
    this.now = deps.now ?? (() => new Date());
    this.targets = deps.targets ?? new WebhookTargetPolicy();
    const o = deps.options ?? {};
    this.opt = {
      retryBaseMs: o.retryBaseMs ?? L.RETRY_BASE_MS,
      retryMaxMs: o.retryMaxMs ?? L.RETRY_MAX_MS,
      maxAttempts: o.maxAttempts ?? L.MAX_ATTEMPTS,
      timeoutMs: o.timeoutMs ?? L.DELIVERY_TIMEOUT_MS,
      pollIntervalMs: o.pollIntervalMs ?? L.POLL_INTERVAL_MS,
    };
  }

  /** Starts the worker (pending deliveries from before a restart go out now). */
  start(): void {
    if (this.started || this.closing.signal.aborted) return;
    this.started = true;
    this.kick();
  }

  async publish(type: StreamEventType, data: StreamEventData): Promise<void> {
    if (this.closing.signal.aborted) return;
    try {
      const eventId = newId('evt');
      const now = this.now();
      // One transaction: a try that failed half way left nothing, so a queued event is queued once.
      const queue = async (): Promise<void> => {
        await this.deps.db.transaction((tx) => this.queue(tx, eventId, now, type, data));
        this.kick();
      };
      if (this.deps.writes) await this.deps.writes.run(`event ${type}`, queue);
      else await queue();
    } catch (err) {
      this.log.error({ err, type }, 'webhook event not queued');
    }
  }

  async publishIn(tx: Queryable, type: StreamEventType, data: StreamEventData): Promise<() => void> {
    await this.queue(tx, newId('evt'), this.now(), type, data);
    return () => this.kick();
  }

  /** One delivery per enabled endpoint subscribed to `type`, written with `tx`. */
  private async queue(tx: Queryable, eventId: string, now: Date, type: StreamEventType, data: StreamEventData): Promise<void> {
    const payload = JSON.stringify({ id: eventId, type, time: now.toISOString(), data });
    const endpoints = await new WebhookEndpointStore(tx).list();
    const store = new WebhookDeliveryStore(tx);
    for (const e of endpoints) {
      if (!e.enabled || !(e.events.includes('*') || e.events.includes(type))) continue;
      await store.insert({ id: newId('whd'), eventId, endpointId: e.id, eventType: type, payload }, now);
    }
  }

  /** Queues a fresh copy of a delivery (same event id and body, new delivery id, attempts from zero). */
  async redeliver(deliveryId: string): Promise<WebhookDeliveryRecord | null> {
    const old = await this.deliveries.get(deliveryId);
    if (!old || !(await this.endpoints.get(old.endpointId))) return null;
    const copy = await this.deliveries.insert(
      { id: newId('whd'), eventId: old.eventId, endpointId: old.endpointId, eventType: old.eventType, payload: old.payload },
      this.now());
    this.kick();
    return copy;
  }

  /** Resolves when no worker pass is running (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Idempotent: stops the timer, aborts in-flight sends (they retry after their lease) and waits for the pass. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return this.idle();
    this.closing.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
  }

  private kick(): void {
    if (!this.started || this.closing.signal.aborted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain().then(() => this.scheduleNext()).finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Sleeps until the next pending delivery is due (at most pollIntervalMs; with none due and no polling, until kicked). */
  private async scheduleNext(): Promise<void> {
    if (this.closing.signal.aborted) return;
    let wait = this.opt.pollIntervalMs;
    try {
      const due = await this.deliveries.nextDueAt();
      // The floor keeps a row that cannot be claimed from turning this into a busy loop.
      if (due) wait = Math.min(wait, Math.max(L.MIN_POLL_INTERVAL_MS, due.getTime() - this.now().getTime()));
    } catch (err) {
      if (!this.closing.signal.aborted) this.failed(err, 'webhook worker could not read the queue');
    }
    if (this.closing.signal.aborted || wait === Infinity) return;
    this.timer = setTimeout(() => this.kick(), Math.min(wait, L.MAX_TIMER_MS));
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.closing.signal.aborted) return;
        const now = this.now();
        const lease = new Date(now.getTime() + this.opt.timeoutMs + L.LEASE_MARGIN_MS);
        const batch = await this.deliveries.claimDue(now, lease, L.CLAIM_BATCH_SIZE);
        if (this.databaseDown) {
          this.databaseDown = false;
          this.log.info('webhook worker: the database answers again, deliveries resume');
        }
        await Promise.all(batch.map((c) => this.send(c)));
        if (batch.length < L.CLAIM_BATCH_SIZE) return;
      }
    } catch (err) {
      if (!this.closing.signal.aborted) this.failed(err, 'webhook worker pass failed');
    }
  }

  /** An unavailable database is logged once per outage (each poll would repeat it); any other failure each time. */
  private failed(err: unknown, what: string): void {
    if (!isDatabaseUnavailable(err)) return void this.log.error({ err }, what);
    if (this.databaseDown) return void this.log.debug({ err: String(err) }, what);
    this.databaseDown = true;
    this.log.warn({ err }, `${what}: database unavailable, deliveries wait until it answers`);
  }

  private async send({ delivery, url, secret }: ClaimedDelivery): Promise<void> {
    const tSec = Math.floor(this.now().getTime() / 1000);
    let status: number | null = null;
    let error: string;
    const timeout = AbortSignal.timeout(this.opt.timeoutMs);
    try {
      status = await postWebhook({
        url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'OnAir-Webhooks/1',
          'onair-signature': signWebhook(secret, delivery.payload, tSec),
          'onair-event-id': delivery.eventId,
          'onair-delivery-id': delivery.id,
        },
        body: delivery.payload,
        signal: AbortSignal.any([timeout, this.closing.signal]),
      }, this.targets);
      if (status >= 200 && status <= 299) {
        await this.deliveries.markSucceeded(delivery.id, status, this.now());
        return;
      }
      error = `receiver answered ${status}`;
    } catch (err) {
      if (this.closing.signal.aborted) return; // shutdown: the lease brings it back after restart
      error = timeout.aborted ? `no answer within ${this.opt.timeoutMs} ms` : `request failed: ${(err as Error).message}`;
    }
    const retryAt = delivery.attempts >= this.opt.maxAttempts ? null : new Date(this.now().getTime() + this.backoffMs(delivery.attempts));
    this.log.warn({ deliveryId: delivery.id, eventType: delivery.eventType, attempt: delivery.attempts, status, willRetry: retryAt !== null }, 'webhook delivery failed');
    await this.deliveries.markAttemptFailed(delivery.id, status, error.slice(0, L.MAX_ERROR_TEXT), retryAt, this.now());
  }

  /** base * 2^(attempt-1), capped, with +-20% jitter so a receiver's recovery is not hit by a thundering herd. */
  private backoffMs(attempt: number): number {
    const exp = Math.min(this.opt.retryMaxMs, this.opt.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
    return Math.round(exp * (0.8 + Math.random() * 0.4));
  }
}
