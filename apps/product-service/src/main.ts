import 'reflect-metadata';
import { runService } from '@helpline/common';
import { AppModule, OPEN_API } from './app.module.js';
import { readProductServiceConfig } from './config.js';

await runService({
  readConfig: readProductServiceConfig,
  module: (config) => AppModule.forRoot(config),
  openApi: OPEN_API,
});
