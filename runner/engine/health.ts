import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * The load generator's own health over one slice's measured phase, per worker (thread or process):
 * is the generator, not the server, the limit? Read by guard.ts.
 */
export interface WorkerHealth {
  sliceIndex: number;
  /** performance.eventLoopUtilization over the measured phase, 0..1 (1: the loop never idled). */
  eventLoopUtilization: number;
  /** monitorEventLoopDelay (10 ms resolution) over the measured phase, ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** CPU time of this worker's thread (Linux /proc/thread-self), else of its whole process. */
  cpuMs: number;
  cpuScope: 'thread' | 'process';
  /** cpuMs / wall time: 1 = one core busy all along. */
  cpuShare: number;
  /** How late this slice started after the agreed start instant, ms (barrier quality). */
  startLagMs: number;
  /** The engine's self warm-up before this slice (slice.ts primeEngine), ms; 0 when the thread was warm. */
  primeMs?: number;
}

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms of the calling thread (Linux), else of the process. */
function cpuNow(): { ms: number; scope: 'thread' | 'process' } {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the comm field: state is field 3; utime and stime are fields 14 and 15.
    return { ms: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS, scope: 'thread' };
  } catch {
    const u = process.cpuUsage();
    return { ms: (u.user + u.system) / 1000, scope: 'process' };
  }
}

export interface HealthProbe {
  stop(): WorkerHealth;
}

/** Starts measuring; `stop()` returns the health over the interval. */
export function startHealthProbe(sliceIndex: number, startLagMs: number): HealthProbe {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  return {
    stop() {
      delay.disable();
      const elu = performance.eventLoopUtilization(elu0);
      const cpu = cpuNow();
      const wallMs = performance.now() - t0;
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      const cpuMs = cpu.ms - cpu0.ms;
      return {
        sliceIndex,
        eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
        eventLoopDelayMs: delay.max > 0 && Number.isFinite(delay.mean) ? { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) } : { p50: 0, p99: 0, max: 0 },
        cpuMs,
        cpuScope: cpu.scope,
        cpuShare: wallMs > 0 ? Math.round((cpuMs / wallMs) * 1000) / 1000 : 0,
        startLagMs: Math.round(startLagMs * 10) / 10,
      };
    },
  };
}
