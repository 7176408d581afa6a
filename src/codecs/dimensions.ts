import { OnAirError } from '../core/errors.js';
import { MAX_DIMENSION } from './limits.js';

/** A decoded size of 0 or beyond MAX_DIMENSION is an absurd config: reject it with a typed error. */
export function checkDimensions(what: string, width: number, height: number): void {
  if (!(width > 0 && height > 0)) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `${what}: size ${width}x${height} is empty`);
  }
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `${what}: size ${width}x${height} exceeds limit ${MAX_DIMENSION}`);
  }
}
