export const USERS_SEED_OPTIONS = 'users:seed-options';
