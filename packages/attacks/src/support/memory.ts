/**
 * What a server process holds, read from /proc/PID/status: VmRSS (resident now) and VmHWM (the
 * highest resident size since the process started, which the kernel keeps for us, so a spike
 * between two samples is not missed).
 */
import { readFileSync } from 'node:fs';

export const MiB = 1024 * 1024;

export interface Memory {
  /** Resident bytes now. */
  rss: number;
  /** Peak resident bytes since the process started. */
  hwm: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

export interface MemoryReport {
  baseline: number;
  /** Highest resident size seen during the watch (samples and the kernel's high-water mark). */
  peak: number;
  /** peak − baseline. */
  growth: number;
}

/**
 * Samples a process's RSS every `intervalMs` from now until `stop()`. The baseline is the RSS when
 * the watch starts; the kernel's high-water mark counts only if it rose during the watch.
 */
export class MemoryWatch {
  readonly #pid: number;
  readonly #baseline: Memory;
  readonly #timer: NodeJS.Timeout;
  #peak: number;

  constructor(pid: number, intervalMs = 25) {
    this.#pid = pid;
    this.#baseline = readMemory(pid);
    this.#peak = this.#baseline.rss;
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): Memory | null {
    try {
      const now = readMemory(this.#pid);
      this.#peak = Math.max(this.#peak, now.rss, now.hwm > this.#baseline.hwm ? now.hwm : 0);
      return now;
    } catch {
      return null; // the process ended: the last sample stands
    }
  }

  /** Growth so far, without stopping. */
  get growth(): number {
    this.#sample();
    return this.#peak - this.#baseline.rss;
  }

  stop(): MemoryReport {
    clearInterval(this.#timer);
    this.#sample();
    return { baseline: this.#baseline.rss, peak: this.#peak, growth: this.#peak - this.#baseline.rss };
  }
}

export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
