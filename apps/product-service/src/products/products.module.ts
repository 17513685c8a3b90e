import { type DynamicModule, Module } from '@nestjs/common';
import { PRODUCTS_SEED_OPTIONS } from './products.constants.js';
import { ProductsController } from './products.controller.js';
import { ProductsRepository } from './products.repository.js';
import { ProductsSeeder, type ProductsSeedOptions } from './products.seed.js';
import { ProductsService } from './products.service.js';

@Module({})
export class ProductsModule {
  static forRoot(seed: ProductsSeedOptions): DynamicModule {
    return {
      module: ProductsModule,
      controllers: [ProductsController],
      providers: [
        ProductsRepository,
        ProductsService,
        ProductsSeeder,
        { provide: PRODUCTS_SEED_OPTIONS, useValue: seed },
      ],
    };
  }
}
