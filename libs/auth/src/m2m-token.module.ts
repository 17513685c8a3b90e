import { DynamicModule, Module } from '@nestjs/common';
import { M2M_TOKEN_OPTIONS } from './auth.constants.js';
import { assertM2MTokenOptions, M2MTokenOptions } from './m2m-token.options.js';
import { M2MTokenService } from './m2m-token.service.js';

/** One M2MTokenService (one cached token) for the whole application. */
@Module({})
export class M2MTokenModule {
  static forRoot(options: M2MTokenOptions): DynamicModule {
    assertM2MTokenOptions(options);
    return {
      module: M2MTokenModule,
      global: true,
      providers: [{ provide: M2M_TOKEN_OPTIONS, useValue: options }, M2MTokenService],
      exports: [M2M_TOKEN_OPTIONS, M2MTokenService],
    };
  }
}
