import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { ApiKey } from '../api-keys.schema.js';
import type { KeyUsage } from '../api-keys.service.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Partner ACME', description: 'Who the key is for' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: 'basic', description: 'A usage plan of infra/gateway/usage-plans.json' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'plan must be a plan name' })
  plan!: string;
}

export class ApiKeyUsageDto {
  @ApiProperty({ description: 'Requests counted in the current quota period' }) used!: number;
  @ApiProperty() limit!: number;
  @ApiProperty({ format: 'date-time' }) resetsAt!: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() plan!: string;
  @ApiProperty({ description: 'The first characters of the key, to tell keys apart' }) prefix!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiPropertyOptional({
    type: ApiKeyUsageDto,
    description: "Its plan's quota so far (none when the plan has no quota)",
  })
  usage?: KeyUsage;

  static from(record: ApiKey, usage?: KeyUsage): ApiKeyDto {
    return {
      id: record.id,
      name: record.name,
      plan: record.plan,
      prefix: record.prefix,
      createdAt: record.createdAt.toISOString(),
      revokedAt: record.revokedAt?.toISOString() ?? null,
      ...(usage ? { usage } : {}),
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself, sent as x-api-key. Shown this once: only its hash is kept.' })
  key!: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
