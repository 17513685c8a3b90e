import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/products/products.schema.ts', './src/reservations/reservations.schema.ts'],
  out: './drizzle',
});
