/**
 * The `location /hls/` of README's "An HTTP cache in front (nginx proxy_cache)", for OnAir at `upstream`: the
 * test (test/support/nginx-cache.ts) and the viewer bench (bench/hls-viewers.ts --onair-behind-cache) run exactly
 * what the README shows (paths and ports aside). `cacheStatus: false` leaves out the X-Cache-Status header, a
 * debugging aid the README marks as optional (the bench measures the block without it).
 */
export function hlsCacheLocation(upstream: string, opts: { cacheStatus?: boolean } = {}): string {
  return `
    location /hls/ {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache onair_hls;
      # The full request URI: _HLS_msn/_HLS_part/_HLS_skip and the playback token are part of the key.
      proxy_cache_key $scheme$proxy_host$request_uri;
      # One request per key goes to OnAir; the others wait for its answer, longer than a blocking
      # reload may be held (3 target durations).
      proxy_cache_lock on;
      proxy_cache_lock_timeout 15s;
      proxy_cache_lock_age 15s;
      # OnAir's Cache-Control decides; this only covers an answer without one.
      proxy_cache_valid 200 206 1s;
      proxy_cache_revalidate on;
      # Buffering on (the default) is what lets nginx cache; a blocking reload is held before any byte, so
      # buffering adds no wait. The read timeout outlasts the longest hold.
      proxy_buffering on;
      proxy_read_timeout 30s;
      # A hit reuses the cache file's open descriptor instead of open/fstat/close; nginx checks it against the
      # entry's inode, so a replaced entry (a new playlist) is opened afresh.
      open_file_cache max=10000 inactive=30s;${opts.cacheStatus === false ? '' : `
      add_header X-Cache-Status $upstream_cache_status always;  # optional: HIT/MISS/EXPIRED, for checking`}
    }`;
}

/** README's `proxy_cache_path` line (the `onair_hls` zone the location uses), with the cache under `dir`. */
export const hlsCachePath = (dir: string): string =>
  `proxy_cache_path ${dir} levels=1:2 keys_zone=onair_hls:10m max_size=1g inactive=2m use_temp_path=off;`;
