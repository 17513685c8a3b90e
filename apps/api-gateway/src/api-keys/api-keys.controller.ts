import { CurrentUser, type Principal, Roles } from '@helpline/auth';
import { BadRequestError, type Page, PageQueryDto } from '@helpline/common';
import { Body, Controller, Delete, Get, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { USAGE_PLANS } from '../gateway.constants.js';
import type { UsagePlans } from '../limits/plans.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';

const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestError('INVALID_ID', 'id: must be an API key id (a UUID)'),
});

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an admin' })
@Controller('admin')
@Roles('admin')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    @Inject(USAGE_PLANS) private readonly plans: UsagePlans,
  ) {}

  @Post('api-keys')
  @ApiOperation({ summary: 'Create an API key bound to a usage plan; the key is in this answer only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiUnprocessableEntityResponse({ description: 'UNKNOWN_PLAN' })
  async create(@Body() dto: CreateApiKeyDto, @CurrentUser() admin: Principal): Promise<CreatedApiKeyDto> {
    const { key, record } = await this.keys.create({ name: dto.name, plan: dto.plan, createdBy: admin.sub });
    return { ...ApiKeyDto.from(record), key };
  }

  @Get('api-keys')
  @ApiOperation({ summary: 'API keys, oldest first, with the usage of their quota so far' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  async list(@Query() query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    const page = await this.keys.list(query.limit, query.cursor);
    const items = await Promise.all(page.items.map(async (r) => ApiKeyDto.from(r, await this.keys.usage(r))));
    return { items, nextCursor: page.nextCursor };
  }

  @Get('api-keys/:id')
  @ApiOperation({ summary: 'One API key, with its usage so far' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ description: 'API_KEY_NOT_FOUND' })
  async get(@Param('id', uuidParam) id: string): Promise<ApiKeyDto> {
    const record = await this.keys.get(id);
    return ApiKeyDto.from(record, await this.keys.usage(record));
  }

  @Delete('api-keys/:id')
  @ApiOperation({
    summary: 'Revoke an API key: it is refused (403) from now on; revoking again changes nothing',
  })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ description: 'API_KEY_NOT_FOUND' })
  async revoke(@Param('id', uuidParam) id: string): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.keys.revoke(id));
  }

  @Get('usage-plans')
  @ApiOperation({ summary: 'The usage plans (infra/gateway/usage-plans.json)' })
  usagePlans(): UsagePlans {
    return this.plans;
  }
}
