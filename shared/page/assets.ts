// The page's three files, as strings in the function bundle: no CDN, nothing fetched from outside.
// The script is shared/page/browser/ bundled for the browser when the page's files are built
// (scripts/lib/page-script.mts); it carries the service's own catalog.

export { PAGE_SCRIPT } from 'virtual:page-script';

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>junoevent · events</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<header>
<h1>junoevent</h1>
<nav aria-label="Views"><a id="tab-list" href="?">List</a><a id="tab-timeline" href="?view=timeline">Timeline</a></nav>
<div class="actions">
<button type="button" id="refresh">Refresh</button>
<label for="auto">Auto-refresh</label> <select id="auto"><option value="0">off</option><option value="10">every 10 s</option><option value="30">every 30 s</option><option value="60">every 60 s</option></select>
<button type="button" id="forget">Change token</button>
</div>
</header>
<main>
<section id="token-panel" aria-labelledby="token-title" hidden>
<h2 id="token-title">API token</h2>
<p id="token-message"></p>
<form id="token-form"><label for="token">Read API token</label> <input id="token" type="password" autocomplete="off" spellcheck="false" required> <button type="submit">Open</button></form>
</section>
<div id="browse" hidden>
<section aria-label="Service status"><ul id="health"></ul></section>
<details id="filter-panel" open><summary>Filters</summary>
<form id="filters" aria-label="Filters">
<div class="field"><label for="f-app">App</label><input id="f-app" name="app" list="apps" autocomplete="off" placeholder="all apps"></div>
<div class="field"><label for="f-source">Source</label><select id="f-source" name="source"><option value="">all sources</option><option value="confgo">confgo</option><option value="devops">devops</option><option value="git">git</option><option value="grafana">grafana</option></select></div>
<div class="field"><label for="f-operation">Operation</label><select id="f-operation" name="operation"></select></div>
<div class="field"><label for="f-env">Env</label><input id="f-env" name="env" autocomplete="off" placeholder="any"></div>
<div class="field"><label for="f-range">Time range</label><select id="f-range" name="range"><option value="1h">last hour</option><option value="6h">last 6 hours</option><option value="24h">last 24 hours</option><option value="7d">last 7 days</option><option value="30d">last 30 days</option><option value="custom">from … to …</option></select></div>
<div class="field" hidden><label for="f-from">From</label><input id="f-from" name="from" type="datetime-local"></div>
<div class="field" hidden><label for="f-to">To</label><input id="f-to" name="to" type="datetime-local"></div>
<div class="buttons"><button type="submit">Apply</button> <button type="button" id="clear">Clear filters</button></div>
<datalist id="apps"></datalist>
</form>
</details>
<p id="status" role="status" aria-live="polite"></p>
<p id="problem" role="alert" hidden></p>
<section id="list-view" aria-label="Events, newest first">
<div class="scroll"><table>
<thead><tr><th scope="col" id="time-head">Time</th><th scope="col">App</th><th scope="col" class="wide">Env</th><th scope="col">Source</th><th scope="col">What happened</th><th scope="col" class="wide">User</th><th scope="col" class="wide">Host</th></tr></thead>
<tbody id="rows"></tbody>
</table></div>
<button type="button" id="more" hidden>Load more</button>
</section>
<section id="timeline-view" aria-label="Timeline, one lane per app" hidden>
<ul id="legend" aria-label="Legend"></ul>
<div id="timeline"></div>
</section>
</div>
</main>
<dialog id="detail" aria-labelledby="detail-title">
<div class="detail-head"><h2 id="detail-title">Event</h2><button type="button" id="detail-close">Close</button></div>
<p id="detail-headline"></p>
<section id="detail-context" aria-labelledby="context-title" hidden><h3 id="context-title">Context</h3><ul id="context-list"></ul></section>
<div id="detail-body">
<dl id="detail-fields"></dl>
<h3>metadata</h3>
<pre id="detail-metadata" tabindex="0"></pre>
</div>
</dialog>
</body>
</html>
`;

export const PAGE_STYLE = `:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--accent:#0b5cad;--confgo:#1d4ed8;--devops:#047857;--git:#7c3aed;--grafana:#dc2626;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","WenQuanYi Micro Hei","Noto Sans",sans-serif;color:var(--ink);background:#fff}
*{box-sizing:border-box}
body{margin:0}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1rem;border-bottom:1px solid var(--line);background:var(--soft)}
h1{font-size:1.15rem;margin:0}
h2{font-size:1.05rem;margin:0}
h3{font-size:.95rem;margin:1rem 0 .3rem}
nav{display:flex;gap:.25rem}
nav a{padding:.3rem .7rem;border-radius:6px;color:var(--accent);text-decoration:none;border:1px solid transparent}
nav a[aria-current=page]{background:#fff;border-color:var(--line);color:var(--ink);font-weight:600}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin-left:auto}
main{padding:.8rem 1rem;max-width:1400px}
button,input,select{font:inherit;color:inherit}
button{padding:.3rem .75rem;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
button:hover{background:var(--soft)}
button[type=submit]{background:var(--accent);border-color:var(--accent);color:#fff}
input,select{height:2rem;padding:.2rem .4rem;border:1px solid var(--line);border-radius:6px;background:#fff;min-width:0}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
#token-panel{max-width:40rem;padding:1rem;border:1px solid var(--line);border-radius:8px}
#token-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
#token-form input{flex:1 1 14rem}
#filter-panel>summary{cursor:pointer;color:var(--muted);font-size:.9rem;padding:.3rem 0}
#filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.5rem .8rem;align-items:end;padding:.6rem 0 .8rem;border-bottom:1px solid var(--line)}
#filters .field:not([hidden]){display:flex;flex-direction:column;gap:.15rem}
#filters .field label{font-size:.85rem;color:var(--muted)}
#filters .field>input,#filters .field>select{width:100%}
.buttons{display:flex;gap:.5rem;grid-column:span 2}
.buttons button{white-space:nowrap}
#status{color:var(--muted);margin:.6rem 0;min-height:1.4em}
#health{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;list-style:none;margin:.5rem 0 0;padding:.4rem .6rem;background:var(--soft);border:1px solid var(--line);border-radius:6px;font-size:.85rem;color:var(--muted)}
#problem{margin:.6rem 0;padding:.6rem .8rem;border-radius:6px}
#problem.alert,.alert{background:#fff1f0;border:1px solid #f3b5b0;color:#8a1c12;padding:.6rem .8rem;border-radius:6px}
#problem.empty{background:var(--soft);border:1px solid var(--line);color:var(--muted)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;color:var(--muted);font-weight:600;white-space:nowrap}
td{overflow-wrap:break-word}
td:first-child{white-space:nowrap;font-variant-numeric:tabular-nums}
td code{color:var(--muted);font-size:.8rem}
td.none{color:var(--muted);font-style:italic}
td.source::before{content:"";display:inline-block;width:.6rem;height:.6rem;margin-right:.35rem;border-radius:50%}
td.confgo::before{background:var(--confgo)}td.devops::before{background:var(--devops);border-radius:0}td.git::before{background:var(--git);transform:rotate(45deg);border-radius:0}td.grafana::before{background:var(--grafana);border-radius:0;clip-path:polygon(50% 0,100% 100%,0 100%)}
button.link{border:0;padding:0;background:none;color:var(--accent);text-decoration:underline;text-align:left}
td.what .kind{display:block;color:var(--muted);font-size:.8rem}
#detail-headline{font-size:1.05rem;font-weight:600;margin:.7rem 0}
#detail-context ul{list-style:none;padding:0;margin:0 0 .4rem}
#detail-context li.note{color:var(--muted)}
button.entry{display:flex;flex-wrap:wrap;align-items:center;gap:.2rem .5rem;width:100%;min-height:44px;margin:.15rem 0;text-align:left}
button.entry time{font-variant-numeric:tabular-nums;color:var(--muted);font-size:.85rem}
button.entry .source{font-size:.8rem;color:var(--muted)}
#more{margin:.8rem 0}
#legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;list-style:none;padding:0;margin:.2rem 0 .6rem;font-size:.9rem}
#legend li{display:flex;align-items:center;gap:.3rem}
#timeline{overflow-x:auto}
#timeline svg{display:block}
.tick{stroke:#eaeef2}
.tick-label{fill:var(--muted);font-size:11px}
.lane-line{stroke:var(--line)}
.lane-label{fill:var(--ink);font-size:12px}
.mark{stroke:#fff;stroke-width:1.5;cursor:pointer}
.mark.confgo{fill:var(--confgo)}.mark.devops{fill:var(--devops)}.mark.git{fill:var(--git)}.mark.grafana{fill:var(--grafana)}
.mark:focus-visible,.mark:hover{stroke:#f59e0b;stroke-width:3;outline:none}
.hit{fill:transparent;pointer-events:all;cursor:pointer}
.mark.cluster circle{fill:#334155;stroke:#fff;stroke-width:1.5}
.mark.cluster text{fill:#fff;font-size:11px;font-weight:600;pointer-events:none}
.mark.cluster:focus-visible circle,.mark.cluster:hover circle{stroke:#f59e0b;stroke-width:3}
.now{stroke:#b45309;stroke-width:1.5;stroke-dasharray:4 3}
.now-label{fill:#b45309;font-size:11px}
dialog{width:min(56rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);border:1px solid var(--line);border-radius:8px;padding:1rem}
dialog::backdrop{background:rgba(27,31,36,.45)}
.detail-head{display:flex;gap:1rem;justify-content:space-between;align-items:start}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .9rem;margin:.8rem 0 0}
dt{color:var(--muted);font-family:ui-monospace,monospace;font-size:.85rem}
dd{margin:0;overflow-wrap:anywhere}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.6rem;overflow:auto;max-height:50vh;font-size:.82rem;margin:0}
@media (max-width:700px){main{padding:.6rem}td:first-child{white-space:normal}button,select,input,summary{min-height:44px}nav a{display:inline-flex;align-items:center;min-height:44px}button.link{display:block;min-height:44px;width:100%}#list-view thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}#rows tr{display:grid;grid-template-columns:auto auto 1fr;column-gap:.6rem;border-bottom:1px solid var(--line);padding:.3rem 0}#rows td{border:0;padding:.1rem 0}#rows td.what{grid-column:1/-1}th,td{padding:.35rem .3rem}header{padding:.5rem .6rem}.actions{margin-left:0}.wide{display:none}#filters{grid-template-columns:repeat(2,minmax(0,1fr))}dl{grid-template-columns:1fr}dt{margin-top:.4rem}}
`;
