/** Names of the two Mongoose connections (ARCHITECTURE.md: write model and read models). */
export const WRITE_CONNECTION = 'write';
export const READ_CONNECTION = 'read';
