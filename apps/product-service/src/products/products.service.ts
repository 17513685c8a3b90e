import type { Page } from '@helpline/common';
import { Injectable } from '@nestjs/common';
import type { CreateProductDto } from './dto/create-product.dto.js';
import type { UpdateProductDto } from './dto/update-product.dto.js';
import { productNotFound } from './products.errors.js';
import { type ProductFilter, ProductsRepository } from './products.repository.js';
import type { Product } from './products.schema.js';

@Injectable()
export class ProductsService {
  constructor(private readonly repository: ProductsRepository) {}

  list(filter: ProductFilter): Promise<Page<Product>> {
    return this.repository.list(filter);
  }

  async get(id: string): Promise<Product> {
    const product = await this.repository.findById(id);
    if (!product) throw productNotFound(id);
    return product;
  }

  create(dto: CreateProductDto): Promise<Product> {
    return this.repository.insert({
      sku: dto.sku,
      name: dto.name,
      description: dto.description ?? '',
      price: dto.price,
      currency: dto.currency,
      stock: dto.stock ?? 0,
    });
  }

  async update(id: string, dto: UpdateProductDto): Promise<Product> {
    const updated = await this.repository.update(id, {
      sku: dto.sku,
      name: dto.name,
      description: dto.description,
      price: dto.price,
      currency: dto.currency,
      stock: dto.stock,
    });
    if (!updated) throw productNotFound(id);
    return updated;
  }

  delete(id: string): Promise<void> {
    return this.repository.delete(id);
  }
}
