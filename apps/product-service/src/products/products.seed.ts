import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PRODUCTS_SEED_OPTIONS } from './products.constants.js';
import { ProductsRepository } from './products.repository.js';

/** Demo products with fixed ids, so that scripts and the README can rely on them. Prices in yen. */
export const DEMO_PRODUCTS = [
  {
    id: 'b0000000-0000-4000-8000-000000000001',
    sku: 'KB-001',
    name: 'Mechanical Keyboard',
    description: 'Tenkeyless, brown switches, JIS layout',
    price: 12800,
    currency: 'JPY',
    stock: 25,
  },
  {
    id: 'b0000000-0000-4000-8000-000000000002',
    sku: 'MS-002',
    name: 'Wireless Mouse',
    description: 'Bluetooth and 2.4 GHz, six buttons',
    price: 4980,
    currency: 'JPY',
    stock: 40,
  },
  {
    id: 'b0000000-0000-4000-8000-000000000003',
    sku: 'MN-003',
    name: '27-inch Monitor',
    description: '2560×1440, IPS, USB-C power delivery',
    price: 39800,
    currency: 'JPY',
    stock: 10,
  },
  {
    id: 'b0000000-0000-4000-8000-000000000004',
    sku: 'HS-004',
    name: 'Noise-cancelling Headset',
    description: 'Over-ear, with a boom microphone',
    price: 19800,
    currency: 'JPY',
    stock: 15,
  },
  {
    id: 'b0000000-0000-4000-8000-000000000005',
    sku: 'CB-005',
    name: 'USB-C Cable 1 m',
    description: '100 W, USB 3.2 Gen 2',
    price: 1280,
    currency: 'JPY',
    stock: 200,
  },
  {
    id: 'b0000000-0000-4000-8000-000000000006',
    sku: 'LS-006',
    name: 'Laptop Stand',
    description: 'Aluminium, six heights; the last few in stock',
    price: 5980,
    currency: 'JPY',
    stock: 3,
  },
] as const;

export interface ProductsSeedOptions {
  seedDemoData: boolean;
}

/**
 * Fills an empty database with the demo products so the README's walkthrough works at once.
 * Never touches a database that already has products; safe to run on every start.
 */
@Injectable()
export class ProductsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProductsSeeder.name);

  constructor(
    private readonly repository: ProductsRepository,
    @Inject(PRODUCTS_SEED_OPTIONS) private readonly options: ProductsSeedOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.seedDemoData) return;
    if ((await this.repository.count()) > 0) return;
    // Two instances starting on one empty database both get here: a product is inserted once.
    for (const product of DEMO_PRODUCTS) await this.repository.insertIfAbsent({ ...product });
    this.logger.log(`seeded ${DEMO_PRODUCTS.length} demo products`);
  }
}
