// The page script (client/main.ts bundled with Observable Plot). In a build this module is replaced
// by scripts/report-assets.mjs with the bundled code as a constant; in a checkout it bundles on
// first use with esbuild (a devDependency) into .tmp/report-client/.
export async function reportClientScript(): Promise<string> {
  const url = new URL('../../../../scripts/report-assets.mjs', import.meta.url);
  const assets = (await import(url.href)) as { cachedReportClient(): Promise<string> };
  return assets.cachedReportClient();
}
