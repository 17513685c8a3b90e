import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ReservationsConfig } from '../config.js';
import { RESERVATIONS_OPTIONS } from './reservations.constants.js';
import { ReservationsRepository } from './reservations.repository.js';

/** Reservations expired per transaction: short transactions, short row locks. */
const BATCH = 100;

/**
 * Every `sweepIntervalMs`, expires the reservations past their `expiresAt` and puts their units
 * back. Safe with several instances (each batch is `FOR UPDATE SKIP LOCKED`); one sweep at a time
 * per instance; stopped, and waited for, before the database closes on shutdown.
 */
@Injectable()
export class ReservationsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReservationsSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private failing = false;

  constructor(
    private readonly repository: ReservationsRepository,
    @Inject(RESERVATIONS_OPTIONS) private readonly options: ReservationsConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), this.options.sweepIntervalMs);
    // A pending sweep never keeps the process alive on its own.
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * Expires everything due now, batch after batch; returns how many. A sweep already running is
   * joined rather than doubled. A database that is down is logged once, when it starts failing.
   */
  sweep(): Promise<number> {
    this.running ??= this.sweepAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepAll(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const expired = await this.repository.expireDue(BATCH);
        total += expired;
        if (expired < BATCH) break;
      }
      if (this.failing) this.logger.log('reservation sweep works again');
      this.failing = false;
    } catch (error) {
      if (!this.failing)
        this.logger.error({ err: error }, 'reservation sweep failed; retrying every interval');
      this.failing = true;
      throw error;
    } finally {
      if (total > 0) this.logger.log(`expired ${total} reservations, their units back in stock`);
    }
    return total;
  }
}
