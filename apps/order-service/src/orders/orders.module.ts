import { type DynamicModule, Module } from '@nestjs/common';
import { BUYER_CACHE_OPTIONS, RESERVATION_WORKER_OPTIONS } from './orders.constants.js';
import { OrdersController } from './orders.controller.js';
import { BUYER_DIRECTORY, STOCK_RESERVATIONS } from './orders.ports.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';
import { ReservationTasksWorker, type ReservationWorkerOptions } from './reservation-tasks.worker.js';
import { StockGateway } from './stock.gateway.js';
import { BUYER_CACHE_DEFAULTS, type BuyerCacheOptions, UsersGateway } from './users.gateway.js';

@Module({})
export class OrdersModule {
  static forRoot(
    worker: ReservationWorkerOptions,
    buyers: BuyerCacheOptions = BUYER_CACHE_DEFAULTS,
  ): DynamicModule {
    return {
      module: OrdersModule,
      controllers: [OrdersController],
      providers: [
        OrdersRepository,
        OrdersService,
        ReservationTasksWorker,
        { provide: RESERVATION_WORKER_OPTIONS, useValue: worker },
        { provide: BUYER_CACHE_OPTIONS, useValue: buyers },
        { provide: BUYER_DIRECTORY, useClass: UsersGateway },
        { provide: STOCK_RESERVATIONS, useClass: StockGateway },
      ],
      exports: [OrdersRepository, ReservationTasksWorker],
    };
  }
}
