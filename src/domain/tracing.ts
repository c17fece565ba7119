/**
 * The tracing port (issue 19 #2): storage and the HTTP layer open spans through it, an adapter
 * (src/adapters/otel-tracing.ts) turns them into OpenTelemetry spans. Attribute values are
 * templates, operation names and counts only: never a tenant, slug, user, login or id (R7).
 */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

export interface Tracing {
  /**
   * Runs `fn` in a child span of the current span; without a current span (background work, a
   * request that was not sampled) it just runs `fn`. A failure marks the span by its error
   * class only: messages may quote stored values.
   */
  span<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>): Promise<T>;
}

/** What the HTTP layer needs (src/http/plugins/tracing.ts): a server span per request. */
export interface RequestTracing {
  /**
   * Opens the server span of a request, as a child of the caller's `traceparent` when it sends
   * one.
   */
  startRequest(
    headers: Record<string, string | string[] | undefined>,
    name: string,
    attributes: SpanAttributes,
  ): RequestSpan;
}

export interface RequestSpan {
  readonly traceId: string;
  /** Runs `next` (the rest of the request) with this as the current span. */
  run(next: () => void): void;
  end(name: string, attributes: SpanAttributes, failed: boolean): void;
}
