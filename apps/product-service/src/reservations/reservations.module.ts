import { type DynamicModule, Module } from '@nestjs/common';
import type { ReservationsConfig } from '../config.js';
import { RESERVATIONS_OPTIONS } from './reservations.constants.js';
import { ReservationsController } from './reservations.controller.js';
import { ReservationsRepository } from './reservations.repository.js';
import { ReservationsService } from './reservations.service.js';
import { ReservationsSweeper } from './reservations.sweeper.js';

@Module({})
export class ReservationsModule {
  static forRoot(options: ReservationsConfig): DynamicModule {
    return {
      module: ReservationsModule,
      controllers: [ReservationsController],
      providers: [
        ReservationsRepository,
        ReservationsService,
        ReservationsSweeper,
        { provide: RESERVATIONS_OPTIONS, useValue: options },
      ],
    };
  }
}
