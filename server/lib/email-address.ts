/** Normalised address: the one form every lookup, limit key and hash uses. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
