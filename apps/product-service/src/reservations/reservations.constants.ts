export const RESERVATIONS_OPTIONS = 'reservations:options';
