import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { RESERVATION_WORKER_OPTIONS } from './orders.constants.js';
import { STOCK_RESERVATIONS, type StockReservations } from './orders.ports.js';
import { type ClaimedTask, OrdersRepository } from './orders.repository.js';

export interface ReservationWorkerOptions {
  /** How often due tasks are looked for. */
  pollMs: number;
  /** A claimed task is another worker's to retry after this long (if this one died holding it). */
  leaseMs: number;
  /** A pending order older than this belongs to a request that died: it is failed and released. */
  abandonAfterMs: number;
  /** Retry delays double from `retryBaseMs` up to `retryMaxMs`, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** false: nothing runs on its own (tests drive `runOnce`). */
  autoStart: boolean;
}

export const RESERVATION_WORKER_DEFAULTS: ReservationWorkerOptions = {
  pollMs: 1_000,
  leaseMs: 30_000,
  abandonAfterMs: 60_000,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  autoStart: true,
};

const BATCH = 20;

/**
 * Carries out the outbox (`reservation_tasks`): releases the reservations of orders that failed
 * and returns the units of cancelled ones, with order-service's own token, retrying with backoff
 * until product-service has done it. Also fails pending orders whose request died (a crash between
 * reserving and committing), which queues their release. Safe with several instances: tasks are
 * leased with FOR UPDATE SKIP LOCKED.
 */
@Injectable()
export class ReservationTasksWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReservationTasks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly repository: OrdersRepository,
    @Inject(STOCK_RESERVATIONS) private readonly stock: StockReservations,
    @Inject(RESERVATION_WORKER_OPTIONS) private readonly options: ReservationWorkerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.autoStart) return;
    this.timer = setInterval(() => void this.runOnce(), this.options.pollMs);
    this.timer.unref();
    void this.runOnce();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: fail abandoned orders, then carry out every due task. Never overlaps itself. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** A pass now rather than at the next tick (after a cancel or a failure); never throws. */
  async runNow(): Promise<void> {
    await this.runOnce().catch(() => undefined);
  }

  private async pass(): Promise<void> {
    try {
      for (const orderId of await this.repository.abandoned(this.options.abandonAfterMs, BATCH)) {
        if (await this.repository.fail(orderId, 'ABANDONED', { release: true, transient: true })) {
          this.logger.warn(`order ${orderId} was abandoned mid-placement; releasing its stock`);
        }
      }
      for (;;) {
        const tasks = await this.repository.claimTasks(BATCH, this.options.leaseMs);
        if (tasks.length === 0) return;
        await Promise.all(tasks.map((task) => this.carryOut(task)));
      }
    } catch (error) {
      // The database itself is unreachable: the next pass tries again.
      this.logger.warn({ err: error }, 'reservation tasks pass failed');
    }
  }

  private async carryOut(task: ClaimedTask): Promise<void> {
    try {
      if (task.action === 'release') await this.release(task);
      else await this.stock.returnUnits(task.reservationId as string);
      await this.repository.completeTask(task.id);
    } catch (error) {
      const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** task.attempts);
      const jittered = Math.round(delay / 2 + Math.random() * (delay / 2));
      const code = (error as { code?: unknown }).code;
      const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : 'failed';
      await this.repository.retryTaskLater(task.id, reason, jittered);
      this.logger.warn(
        `${task.action} for order ${task.orderId} failed (${reason}); attempt ${task.attempts + 1}, next in ${jittered} ms`,
      );
    }
  }

  /**
   * The order failed: whatever its reservation holds goes back — or, if it was never made (or is
   * still on its way), its key is barred so that it takes nothing when it arrives.
   */
  private async release(task: ClaimedTask): Promise<void> {
    if ((await this.stock.voidKey(task.orderId)) === 'committed') {
      // The commit went through although its answer never came back: the units are sold.
      await this.repository.confirmFailed(task.orderId);
      this.logger.warn(`order ${task.orderId}: its reservation was committed after all; the order stands`);
    }
  }
}
