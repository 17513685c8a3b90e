import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/api-keys/api-keys.schema.ts',
  out: './drizzle',
});
