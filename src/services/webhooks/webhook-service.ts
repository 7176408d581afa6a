import { OnAirError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import type { Page } from '../../db/page-cursor.js';
import { newId, newSecret } from '../random-ids.js';
import { STREAM_EVENT_TYPES } from '../streams/stream-events.js';
import { WebhookEndpointStore } from './webhook-endpoint-store.js';
import { WebhookDeliveryStore, type DeliveryFilter } from './webhook-delivery-store.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from './webhook-types.js';
import { MAX_ENDPOINTS } from './limits.js';
import { WebhookTargetPolicy } from './target-policy.js';

export interface EndpointInput {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly enabled?: boolean;
  readonly description?: string | null;
}

/** Webhook endpoints CRUD and the delivery log (the API's `/api/v1/webhooks`). */
export class WebhookService {
  private readonly endpoints: WebhookEndpointStore;
  private readonly deliveries: WebhookDeliveryStore;

  private readonly targets: WebhookTargetPolicy;

  /** `targets`: where endpoints may point (default: public addresses only). */
  constructor(private readonly deps: { db: Database; dispatcher: WebhookDispatcher; now?: () => Date; targets?: WebhookTargetPolicy }) {
    this.endpoints = new WebhookEndpointStore(deps.db);
    this.deliveries = new WebhookDeliveryStore(deps.db);
    this.targets = deps.targets ?? new WebhookTargetPolicy();
  }

  async create(input: EndpointInput & { url: string }): Promise<WebhookEndpointRecord> {
    if ((await this.endpoints.count()) >= MAX_ENDPOINTS) {
      throw new OnAirError('ONAIR_ERR_LIMIT', `at most ${MAX_ENDPOINTS} webhook endpoints`);
    }
    return this.endpoints.insert(newId('whe'), newSecret('whsec_'), {
      url: await this.checkUrl(input.url),
      events: checkEvents(input.events ?? ['*']),
      enabled: input.enabled ?? true,
      description: input.description ?? null,
    }, this.now());
  }

  list(): Promise<WebhookEndpointRecord[]> {
    return this.endpoints.list();
  }

  get(id: string): Promise<WebhookEndpointRecord | null> {
    return this.endpoints.get(id);
  }

  async update(id: string, input: EndpointInput): Promise<WebhookEndpointRecord | null> {
    const cur = await this.endpoints.get(id);
    if (!cur) return null;
    return this.endpoints.update(id, {
      url: input.url === undefined ? cur.url : await this.checkUrl(input.url),
      events: input.events === undefined ? cur.events : checkEvents(input.events),
      enabled: input.enabled ?? cur.enabled,
      description: input.description === undefined ? cur.description : input.description,
    }, this.now());
  }

  delete(id: string): Promise<boolean> {
    return this.endpoints.delete(id);
  }

  async listDeliveries(filter: DeliveryFilter, limit: number, cursor?: string): Promise<Page<WebhookDeliveryRecord>> {
    const page = await this.deliveries.list(filter, limit, cursor);
    if (!page) throw new OnAirError('ONAIR_ERR_MALFORMED', 'cursor is not one this server returned');
    return page;
  }

  getDelivery(id: string): Promise<WebhookDeliveryRecord | null> {
    return this.deliveries.get(id);
  }

  redeliver(id: string): Promise<WebhookDeliveryRecord | null> {
    return this.deps.dispatcher.redeliver(id);
  }

  private async checkUrl(url: string): Promise<string> {
    const checked = checkUrl(url);
    await this.targets.checkUrl(new URL(checked));
    return checked;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OnAirError('ONAIR_ERR_MALFORMED', 'url is not an absolute URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OnAirError('ONAIR_ERR_MALFORMED', 'url must be http or https');
  if (u.username || u.password) throw new OnAirError('ONAIR_ERR_MALFORMED', 'url must not carry credentials');
  return u.toString();
}

function checkEvents(events: readonly string[]): string[] {
  const known = new Set<string>(STREAM_EVENT_TYPES);
  for (const e of events) {
    if (e !== '*' && !known.has(e)) throw new OnAirError('ONAIR_ERR_MALFORMED', `unknown event type ${JSON.stringify(e)}`);
  }
  return [...new Set(events)];
}
