import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { WebhookTargetPolicy } from './target-policy.js';

export interface WebhookPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal: AbortSignal;
}

/**
 * One POST of a webhook; resolves with the receiver's status (its body is discarded). Redirects are not
 * followed. The connection goes only to an address `targets` allows: an address literal is checked here (Node
 * does not look those up), a name through the policy's `lookup`, which the socket connects with.
 */
export function postWebhook(post: WebhookPost, targets: WebhookTargetPolicy): Promise<number> {
  const url = new URL(post.url);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal)) {
    const refusal = targets.refusal(literal);
    if (refusal) return Promise.reject(new Error(refusal));
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...post.headers, 'content-length': Buffer.byteLength(post.body) },
      lookup: targets.lookup,
      signal: post.signal,
    }, (res) => {
      res.resume();
      res.on('error', () => {});
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(post.body);
  });
}
