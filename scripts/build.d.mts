import type { BuildOptions, Plugin } from 'esbuild';

export function buildCli(outdir?: string): Promise<string>;
export const bundleOptions: BuildOptions;
export function lazyGroupsPlugin(): Plugin;
export const LAZY_GROUPS: Readonly<Record<string, readonly string[]>>;
export const INPUTS_MANIFEST: string;
