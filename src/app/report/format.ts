// The report commands' tables and numbers: one definition in src/app/text/format.ts.
export * from '../text/format.js';
