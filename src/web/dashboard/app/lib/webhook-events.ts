/**
 * Event types a webhook endpoint can subscribe to (docs/API.md "Webhooks"); "*" is every one.
 * test/web/dashboard-units.test.ts checks this list against the server's own.
 */
export const WEBHOOK_EVENTS = [
  'stream.created', 'stream.updated', 'stream.deleted', 'stream.connected', 'stream.active', 'stream.disconnected',
  'stream.idle', 'stream.key_reset', 'stream.disabled', 'stream.enabled', 'stream.health.changed',
  'target.connected', 'target.failed', 'asset.created', 'asset.ready', 'asset.failed', 'asset.deleted',
] as const;
