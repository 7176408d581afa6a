export { RepushService, type RepushServiceDeps } from './repush-service.js';
export { TargetService, type TargetInput, type TargetWithStatus } from './target-service.js';
export { TargetStore } from './target-store.js';
export type { TargetConnector, PushRequest, PushHooks, PushHandle, PushFailure } from './target-connector.js';
export type { TargetRunnerOptions } from './target-runner.js';
export { maskKey } from './target-input.js';
export * from './target-types.js';
