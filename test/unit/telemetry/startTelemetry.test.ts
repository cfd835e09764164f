import { trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SHUTDOWN_FLUSH_TIMEOUT_MS, startTelemetry, startTraced } from '../../../lib/telemetry';

describe('startTelemetry', () => {
  it('should install no provider when tracing is off', async () => {
    const telemetry = await startTelemetry({ exporter: 'none' }, 'unit');
    expect(telemetry.recording).toBe(false);
    const span = trace.getTracer('x').startSpan('not recorded');
    expect(span.isRecording()).toBe(false);
    await telemetry.stop();
  });

  it('should stop cleanly when the final export fails, then allow a new set-up', async () => {
    // The flush fails: in production when the collector is unreachable (port 9 is closed on
    // loopback), under jest already earlier, as jest's VM refuses the OTLP transport's dynamic
    // import of `http`. The wire format is checked outside jest by
    // test/integration/telemetry/otlpExport.test.ts.
    const telemetry = await startTelemetry(
      { exporter: 'otlp', otlpEndpoint: 'http://127.0.0.1:9' },
      'unit',
    );
    expect(telemetry.recording).toBe(true);
    trace.getTracer('x').startSpan('lost').end();
    await expect(telemetry.stop()).resolves.toBeUndefined();
    const again = await startTelemetry({ exporter: 'console' }, 'unit');
    expect(again.recording).toBe(true);
    await again.stop();
  });

  it('should give up on a final flush that never ends after SHUTDOWN_FLUSH_TIMEOUT_MS', async () => {
    // A collector that accepts the spans and never answers; fake timers, so no wall time counts.
    const hanging: SpanProcessor = {
      onStart: () => undefined,
      onEnd: () => undefined,
      forceFlush: () => Promise.resolve(),
      shutdown: () => new Promise<void>(() => undefined),
    };
    jest.useFakeTimers();
    try {
      const telemetry = await startTelemetry({ exporter: 'none' }, 'unit', {
        spanProcessors: [hanging],
      });
      let stopped = false;
      const stopping = telemetry.stop().then(() => (stopped = true));
      await jest.advanceTimersByTimeAsync(SHUTDOWN_FLUSH_TIMEOUT_MS - 1);
      expect(stopped).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await stopping;
      expect(stopped).toBe(true);
      // Uninstalled all the same: a new set-up records again.
      const again = await startTelemetry({ exporter: 'console' }, 'unit');
      expect(again.recording).toBe(true);
      await again.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('should stop the role before telemetry and stop telemetry when the role fails to start', async () => {
    // Spans are started but never ended, so the console exporter prints nothing.
    let recordingWhileRoleStops: boolean | undefined;
    const running = await startTraced({ exporter: 'console' }, 'unit', async () => ({
      stop: async () => {
        recordingWhileRoleStops = trace.getTracer('x').startSpan('during').isRecording();
      },
    }));
    await running.stop();
    expect(recordingWhileRoleStops).toBe(true);
    expect(trace.getTracer('x').startSpan('after').isRecording()).toBe(false);
    await expect(
      startTraced({ exporter: 'none' }, 'unit', () => Promise.reject(new Error('no start'))),
    ).rejects.toThrow('no start');
  });
});
