import 'reflect-metadata';
import { runService } from '@helpline/common';
import { AppModule, OPEN_API } from './app.module.js';
import { readOrderServiceConfig } from './config.js';

await runService({
  readConfig: readOrderServiceConfig,
  module: (config) => AppModule.forRoot(config),
  openApi: OPEN_API,
});
