import { Roles } from '@helpline/auth';
import { BadRequestError, type Page } from '@helpline/common';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CreateProductDto } from './dto/create-product.dto.js';
import { ListProductsQuery } from './dto/list-products.query.js';
import { ProductDto, ProductPageDto } from './dto/product.dto.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import { PRODUCT_MANAGER_ROLES } from './products.policy.js';
import { ProductsService } from './products.service.js';

const uuidParam = new ParseUUIDPipe({ exceptionFactory: () => invalidId() });

@ApiTags('products')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, expired or invalid token (code TOKEN_*)' })
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @ApiOperation({
    summary: 'List or search products (any signed-in caller)',
    description: 'Oldest first; `q` matches name or sku, ignoring case. Pass nextCursor back as cursor.',
  })
  @ApiOkResponse({ type: ProductPageDto })
  async list(@Query() query: ListProductsQuery): Promise<Page<ProductDto>> {
    const page = await this.products.list(query);
    return { items: page.items.map(ProductDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One product (any signed-in caller)' })
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse({ description: 'PRODUCT_NOT_FOUND' })
  async get(@Param('id', uuidParam) id: string): Promise<ProductDto> {
    return ProductDto.from(await this.products.get(id));
  }

  @Post()
  @Roles(...PRODUCT_MANAGER_ROLES)
  @ApiOperation({ summary: 'Create a product (admin, manager)' })
  @ApiCreatedResponse({ type: ProductDto })
  @ApiBadRequestResponse()
  @ApiForbiddenResponse({ description: 'Not an admin or manager' })
  @ApiConflictResponse({ description: 'SKU_TAKEN' })
  async create(@Body() dto: CreateProductDto): Promise<ProductDto> {
    return ProductDto.from(await this.products.create(dto));
  }

  @Patch(':id')
  @Roles(...PRODUCT_MANAGER_ROLES)
  @ApiOperation({ summary: 'Change a product (admin, manager)' })
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse({ description: 'PRODUCT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'SKU_TAKEN' })
  async update(@Param('id', uuidParam) id: string, @Body() dto: UpdateProductDto): Promise<ProductDto> {
    return ProductDto.from(await this.products.update(id, dto));
  }

  @Delete(':id')
  @Roles(...PRODUCT_MANAGER_ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a product (admin, manager)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'PRODUCT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PRODUCT_RESERVED: open reservations hold some of it' })
  async delete(@Param('id', uuidParam) id: string): Promise<void> {
    await this.products.delete(id);
  }
}

function invalidId() {
  return new BadRequestError('INVALID_ID', 'id: must be a UUID (a product id)');
}
