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
    id: 2,
    name: 're-push targets',
    statements: [
      // Runtime status (state, last error, bitrate) lives in memory: a restart starts every target from idle.
      `CREATE TABLE stream_targets (
        id text PRIMARY KEY,
        stream_id text NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        url text NOT NULL,
        stream_key text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        rendition text NOT NULL DEFAULT 'source',
        tls_verify boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX stream_targets_stream_idx ON stream_targets (stream_id, created_at, id)`,
    ],
  },
  {
    id: 3,
    name: 'recorded assets',
    statements: [
      // stream_id is SET NULL on delete: a recording outlives its stream (deleting a stream must not destroy
      // what it recorded); playback_id/playback_policy keep the stream's policy for the asset's playback then.
      `CREATE TABLE assets (
        id text PRIMARY KEY,
        stream_id text REFERENCES streams(id) ON DELETE SET NULL,
        stream_path text NOT NULL,
        playback_id text,
        playback_policy text NOT NULL CHECK (playback_policy IN ('public', 'signed')),
        session_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
        status text NOT NULL CHECK (status IN ('recording', 'ready', 'failed', 'deleted')),
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        duration_ms bigint NOT NULL DEFAULT 0,
        size_bytes bigint NOT NULL DEFAULT 0,
        gaps integer NOT NULL DEFAULT 0,
        gap_ms bigint NOT NULL DEFAULT 0,
        tracks jsonb NOT NULL DEFAULT '[]'::jsonb,
        storage_path text NOT NULL,
        end_reason text,
        error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX assets_created_idx ON assets (created_at DESC, id DESC)`,
      `CREATE INDEX assets_stream_idx ON assets (stream_id, created_at DESC, id DESC)`,
      `CREATE INDEX assets_recording_idx ON assets (status) WHERE status = 'recording'`,
    ],
  },
  {
    id: 4,
    name: 'per-stream SRT passphrase',
    // Kept in clear like the stream key: SRT derives its key-encrypting key from it (PBKDF2) at every publish.
    statements: ['ALTER TABLE streams ADD COLUMN srt_passphrase text'],
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
  {
    id: 8,
    name: 'publish sessions name their cluster node',
    statements: [
      // The node whose hub has the publisher: when its registry entry expires (kill -9), a surviving node ends
      // exactly its open sessions (services/cluster/dead-node-sweeper.ts). NULL for sessions from before.
      'ALTER TABLE stream_sessions ADD COLUMN node_id text',
      // Which run of that node: a new one after it was declared lost, so a comeback's sessions are never swept.
      'ALTER TABLE stream_sessions ADD COLUMN node_run text',
      'CREATE INDEX stream_sessions_open_node_idx ON stream_sessions (node_id) WHERE ended_at IS NULL',
    ],
  },
  {
    id: 9,
    name: 'recordings name their cluster node',
    statements: [
      // The node (and run) writing the recording: if it dies, a survivor finishes exactly its open recordings
      // (services/cluster/dead-node-sweeper.ts). NULL for recordings from before and on single nodes.
      'ALTER TABLE assets ADD COLUMN node_id text',
      'ALTER TABLE assets ADD COLUMN node_run text',
      `CREATE INDEX assets_recording_node_idx ON assets (node_id) WHERE status = 'recording'`,
    ],
  },
];
