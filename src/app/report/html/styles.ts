// The page's stylesheet, inlined into every report. System fonts only: nothing is fetched.
export const REPORT_CSS = `
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d6dae0;--bg:#fff;--panel:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--sim:#8250df}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1280px;margin:0 auto;padding:12px 20px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}h3{font-size:15px;margin:20px 0 6px}
.meta,.intro,.links,footer{color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}
dl.facts dt,dl.context dt{color:var(--muted)}dl.facts dd,dl.context dd{margin:0}
dl.context{display:grid;grid-template-columns:max-content 1fr;gap:0 12px;margin:6px 0}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;border:1px solid currentColor;white-space:nowrap}
.trust-verified{color:var(--ok)}.trust-untrusted{color:var(--warn)}.trust-unsigned{color:var(--muted)}.trust-failed{color:var(--bad);font-weight:600}
.simulated{color:var(--sim)}.tier{color:var(--fg)}.invalid{color:var(--bad)}
.banner{border:1px solid var(--sim);background:#fbefff;padding:6px 10px;border-radius:6px}
nav a{margin:0 2px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:16px}
figure.chart{margin:0;padding:10px;background:var(--panel);border:1px solid var(--line);border-radius:6px;min-width:0}
figcaption{font-weight:600;margin-bottom:6px}.to-table{font-weight:400;font-size:12px;margin-left:6px}
.plot svg{max-width:100%;height:auto;background:#fff}
.placeholder{color:var(--muted);font-style:italic}
ul.notes{margin:6px 0 0;padding-left:18px;color:var(--muted);font-size:12px}
.plot-error{color:var(--bad)}
table{border-collapse:collapse;width:100%;font-size:13px;margin-bottom:8px}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--panel);position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ci{color:var(--muted);font-size:11px}.file{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
tr.context td{border-bottom:1px solid var(--line);padding-top:0}tr.context summary{color:var(--muted);cursor:pointer;font-size:12px}
.trust-detail{color:var(--muted);font-size:12px;margin:2px 0}
.pass{color:var(--ok)}.fail{color:var(--bad);font-weight:600}
:target{outline:2px solid #0969da;outline-offset:2px}
@media print{.grid{grid-template-columns:1fr}th{position:static}}
`;
