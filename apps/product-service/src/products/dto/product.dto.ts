import { ApiProperty } from '@nestjs/swagger';
import type { Product } from '../products.schema.js';

export class ProductDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'KB-001' }) sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'Minor units of the currency', example: 12800 }) price!: number;
  @ApiProperty({ description: 'ISO 4217', example: 'JPY' }) currency!: string;
  @ApiProperty({ description: 'Units available now (reserved units are not)' }) stock!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(product: Product): ProductDto {
    return {
      id: product.id,
      sku: product.sku,
      name: product.name,
      description: product.description,
      price: product.price,
      currency: product.currency,
      stock: product.stock,
      createdAt: product.createdAt.toISOString(),
      updatedAt: product.updatedAt.toISOString(),
    };
  }
}

export class ProductPageDto {
  @ApiProperty({ type: [ProductDto] }) items!: ProductDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
