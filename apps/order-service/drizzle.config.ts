import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/orders/orders.schema.ts',
  out: './drizzle',
});
