/**
 * Insertion-ordered maps used as small bounded caches: a Map iterates in insertion order, so re-inserting a key
 * makes it the newest and the first key is the oldest. One step, so every cache bounds itself the same way.
 */

/** Sets `key` as the newest entry of `map`, then drops the oldest entries while `map` holds more than `max`. */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}
