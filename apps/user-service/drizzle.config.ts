import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/users/users.schema.ts',
  out: './drizzle',
});
