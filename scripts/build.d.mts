export function buildCli(outdir?: string): Promise<string>;
export const bundleOptions: import('esbuild').BuildOptions;
export function lazyGroupsPlugin(): import('esbuild').Plugin;
export const LAZY_GROUPS: Readonly<Record<string, readonly string[]>>;
