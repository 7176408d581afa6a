import type { HealthState } from '../api/health-types.js';
import type { StreamStatus } from '../api/types.js';

const STATUS_TEXT: Record<StreamStatus, string> = { active: 'Live', idle: 'Idle', disabled: 'Disabled' };

export function StatusBadge({ status }: { status: StreamStatus }) {
  return <span class={`badge status-${status}`}>{STATUS_TEXT[status]}</span>;
}

const HEALTH_TEXT: Record<HealthState, string> = { healthy: 'Healthy', warning: 'Warning', critical: 'Critical', offline: 'Offline' };

/** The state in words as well as colour, so it reads without colour vision. */
export function HealthBadge({ state }: { state: HealthState }) {
  return <span class={`badge health-${state}`} aria-label={`Health: ${HEALTH_TEXT[state]}`}>{HEALTH_TEXT[state]}</span>;
}
