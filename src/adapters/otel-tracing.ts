import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Tracing as TracingConfig } from '../config/load-config.js';
import type { RequestSpan, RequestTracing, SpanAttributes, Tracing } from '../domain/tracing.js';

/** The error's class, never its message: driver and constraint messages quote stored values. */
const errorClass = (e: unknown): string => (e instanceof Error ? e.constructor.name : typeof e);

/**
 * OpenTelemetry spans without any global: the provider is this object's own (nothing is
 * registered with the API), and the current span travels in this object's AsyncLocalStorage,
 * so two Kontors in one process (tests) never see each other's spans. Spans go to the OTLP/HTTP
 * exporter (JSON) in batches, or to an exporter given by a test.
 */
export class OtelTracing implements Tracing, RequestTracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly current = new AsyncLocalStorage<Context>();
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(config: TracingConfig, opts: { version: string; exporter?: SpanExporter }) {
    const exporter =
      opts.exporter ?? new OTLPTraceExporter({ url: config.endpoint, headers: { ...config.secretHeaders } });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: config.serviceName,
        [ATTR_SERVICE_VERSION]: opts.version,
      }),
      // A caller's sampling decision (the traceparent flag) is followed; new traces by ratio.
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    this.tracer = this.provider.getTracer('kontor', opts.version);
  }

  startRequest(
    headers: Record<string, string | string[] | undefined>,
    name: string,
    attributes: SpanAttributes,
  ): RequestSpan {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    const traceId = span.spanContext().traceId;
    const context = trace.setSpan(parent, span);
    const current = this.current;
    let ended = false;
    return {
      traceId,
      run(next) {
        current.run(context, next);
      },
      end(finalName, more, failed) {
        if (ended) return;
        ended = true;
        span.updateName(finalName);
        span.setAttributes(more);
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    };
  }

  async span<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>): Promise<T> {
    const parent = this.current.getStore();
    // No request around it (housekeeping, heartbeats, the mail worker): no trace of its own,
    // which would only be noise every few seconds. An unsampled parent records nothing either.
    if (!parent || !trace.getSpan(parent)?.isRecording()) return fn();
    const span: Span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
    try {
      return await this.current.run(trace.setSpan(parent, span), fn);
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', errorClass(e));
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) span.setAttribute('db.response.status_code', code);
      throw e;
    } finally {
      span.end();
    }
  }

  /** Sends every finished span now (tests; before a stop). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Flushes and stops: called when Kontor closes. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
