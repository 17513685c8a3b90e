import type { Clock } from '../clock.js';

/** A clock tests move by hand: expiry is tested by advancing time, never by waiting. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 10, 1, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
