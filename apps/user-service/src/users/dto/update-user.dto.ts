import { Optional } from '@helpline/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { USER_STATUSES, type UserStatus } from '../users.schema.js';

export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'Anyone may change their own name' })
  @Optional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Admins and the provisioning service only' })
  @Optional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES, description: 'Admins and the provisioning service only' })
  @Optional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}
