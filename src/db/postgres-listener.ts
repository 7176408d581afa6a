import pg from 'pg';
import { OnAirError } from '../core/errors.js';
import type { NotificationHandlers } from './database.js';
import { CONNECT_TIMEOUT_MS, LISTEN_KEEPALIVE_DELAY_MS, LISTEN_RETRY_MAX_MS, LISTEN_RETRY_MIN_MS } from './limits.js';

/** LISTEN channels are SQL identifiers; only plain lower-case ones are accepted, so no quoting games. */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One dedicated connection (outside the pool: a pooled client would be handed back and lose its LISTEN)
 * listening on one channel. A lost connection is re-opened with backoff and the caller is told notifications
 * may have been missed (`onGap`), because PostgreSQL queues them only for sessions that are listening.
 */
export class PostgresListener {
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = LISTEN_RETRY_MIN_MS;
  /** Set while not listening after an attempt failed or a connection dropped: notifications went nowhere. */
  private missed = false;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly handlers: NotificationHandlers,
  ) {
    if (!CHANNEL.test(channel)) throw new OnAirError('ONAIR_ERR_CONFIG', `invalid LISTEN channel name: ${channel}`);
  }

  /** Resolves after the first attempt, listening or not (a failed one is retried in the background). */
  start(): Promise<void> {
    return this.connect();
  }

  /** Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, keepAliveInitialDelayMillis: LISTEN_KEEPALIVE_DELAY_MS,
    });
    let lost = false;
    const onLost = (err?: unknown): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.missed = true;
      if (err !== undefined) this.handlers.onError?.(err);
      this.retryLater();
    };
    client.on('notification', (m) => {
      if (m.channel === this.channel) this.handlers.onNotify(m.payload ?? '');
    });
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (this.stopped || lost) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryMs = LISTEN_RETRY_MIN_MS;
    if (this.missed) {
      this.missed = false;
      this.handlers.onGap();
    }
  }

  private retryLater(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, LISTEN_RETRY_MAX_MS);
  }
}
