/** The JWT secret of the chaos suite's service processes; the load generator signs its tokens with it. */
export const CHAOS_JWT_SECRET = 'chaos-suite-secret-chaos-suite-secret-0123456789';
