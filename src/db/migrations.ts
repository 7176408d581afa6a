/**
 * Ordered schema migrations, applied once each (see migrate.ts). Never edit a shipped migration: add one.
 * Each statement is separate because PGlite's query path takes one statement at a time; the same SQL runs
 * on PGlite and PostgreSQL, so only portable PostgreSQL 15 features are used.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'initial schema',
    statements: [
      `CREATE TABLE streams (
        id text PRIMARY KEY,
        name text NOT NULL,
        stream_key text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        playback_id text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'active')),
        disabled boolean NOT NULL DEFAULT false,
        latency_mode text NOT NULL,
        reconnect_window_sec integer NOT NULL,
        ladder jsonb NOT NULL DEFAULT '[]'::jsonb,
        record boolean NOT NULL DEFAULT false,
        playback_policy text NOT NULL CHECK (playback_policy IN ('public', 'signed')),
        passthrough text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX streams_created_idx ON streams (created_at DESC, id DESC)`,
      `CREATE TABLE stream_sessions (
        id text PRIMARY KEY,
        stream_id text REFERENCES streams(id) ON DELETE CASCADE,
        stream_path text NOT NULL,
        protocol text NOT NULL,
        remote_address text NOT NULL,
        started_at timestamptz NOT NULL,
        active_at timestamptz,
        ended_at timestamptz,
        end_reason text,
        bytes_in bigint NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX stream_sessions_stream_idx ON stream_sessions (stream_id, started_at DESC, id DESC)`,
      `CREATE TABLE webhook_endpoints (
        id text PRIMARY KEY,
        url text NOT NULL,
        secret text NOT NULL,
        events jsonb NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        description text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE TABLE webhook_deliveries (
        id text PRIMARY KEY,
        event_id text NOT NULL,
        endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        payload text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_status_code integer,
        last_error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        delivered_at timestamptz
      )`,
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at)`,
      `CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at DESC, id DESC)`,
      `CREATE TABLE api_tokens (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        token_hash text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      `CREATE TABLE server_secrets (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    id: 7,
    name: 'playback directory notifications',
    statements: [
      // Every OnAir instance keeps an in-memory playback directory (services/streams/playback-directory.ts);
      // a change to what it holds is announced on this channel with the playback id, so instances sharing
      // one PostgreSQL re-read that row. Status flips (live/idle) are left out: the directory does not hold them.
      `CREATE FUNCTION onair_notify_playback_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('onair_playback_directory', CASE WHEN TG_OP = 'DELETE' THEN OLD.playback_id ELSE NEW.playback_id END);
        IF TG_OP = 'UPDATE' AND OLD.playback_id IS DISTINCT FROM NEW.playback_id THEN
          PERFORM pg_notify('onair_playback_directory', OLD.playback_id);
        END IF;
        RETURN NULL;
      END
      $$`,
      `CREATE TRIGGER streams_playback_change AFTER INSERT OR DELETE OR UPDATE OF playback_id, playback_policy, disabled, stream_key
        ON streams FOR EACH ROW EXECUTE FUNCTION onair_notify_playback_change()`,
    ],
  },
];
