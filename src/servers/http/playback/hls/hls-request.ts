/**
 * What the HLS answers read of a request: Node's IncomingMessage, or a request of the lean HTTP/1.1 front
 * (servers/http/lean), which parses only the headers named here.
 */
export interface HlsRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: {
    readonly origin?: string | undefined;
    readonly 'if-none-match'?: string | undefined;
    readonly range?: string | undefined;
    readonly 'user-agent'?: string | undefined;
    readonly 'access-control-request-headers'?: string | undefined;
    readonly [name: string]: string | string[] | undefined;
  };
  readonly socket: { readonly remoteAddress?: string | undefined };
}
