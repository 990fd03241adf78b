package dev.steward.agent.api;

/**
 * A first web page, refreshed from the API every second: the services and their instances, and the
 * apps with a picture of each running one's queue (a bar, depth over capacity) and pool (a box per
 * worker, filled by its load).
 */
final class Ui {
    static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Steward</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
            table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}
            .available,.running{color:#1a7f37}.waiting,.starting{color:#9a6700}.stopped,.stopping{color:#666}.disabled,.broken{color:#cf222e}
            .bar{display:inline-block;width:10rem;height:.7rem;background:#eee;vertical-align:middle}.bar i{display:block;height:100%;background:#9a6700}
            .w{display:inline-block;width:1.6rem;height:1.6rem;margin:1px;border:1px solid #999;position:relative;vertical-align:middle;font-size:.7rem;text-align:center;line-height:1.6rem}
            .w i{position:absolute;left:0;bottom:0;width:100%;background:#1a7f3755}.w.starting{border-style:dashed}.w.terminating{opacity:.4}
            </style></head>
            <body><h1>Steward</h1>
            <form id="login" hidden><p>This agent needs a token. An admin makes one with <code>steward token create NAME</code>;
            on the agent's machine its first admin token is in <code>admin.token</code> in its data directory.</p>
            <input id="token" type="password" placeholder="token" size="50" autocomplete="off"> <button>Log in</button> <span id="why"></span></form>
            <p id="who" hidden></p>
            <div id="main" hidden><table id="t"><thead><tr><th>service</th><th>policy</th><th>state</th><th>health</th>
            <th>instances</th></tr></thead><tbody></tbody></table>
            <h2>Apps</h2><table id="a"><thead><tr><th>app</th><th>state</th><th>queue</th><th>workers (load)</th>
            <th>events</th><th>last crash</th></tr></thead><tbody></tbody></table></div>
            <script>
            // the token lives in this tab's session only, and goes with every call as a bearer token
            const api=async(path)=>{
              const r=await fetch(path,{headers:{'Authorization':'Bearer '+(sessionStorage.getItem('steward-token')||'')}});
              if(r.status===401){sessionStorage.removeItem('steward-token');showLogin((await r.json()).error);throw new Error('401');}
              return r;
            };
            function showLogin(why){document.querySelector('#login').hidden=false;document.querySelector('#main').hidden=true;
              document.querySelector('#who').hidden=true;document.querySelector('#why').textContent=why||'';}
            document.querySelector('#login').addEventListener('submit',e=>{e.preventDefault();
              sessionStorage.setItem('steward-token',document.querySelector('#token').value.trim());
              document.querySelector('#login').hidden=true;start();});
            async function start(){
              if(!sessionStorage.getItem('steward-token')){showLogin('');return;}
              try{const me=await (await api('/v1/whoami')).json();
                const who=document.querySelector('#who');who.textContent='logged in as '+me.name+' ('+me.role+') ';
                const out=document.createElement('button');out.textContent='Log out';
                out.onclick=()=>{sessionStorage.removeItem('steward-token');location.reload();};who.appendChild(out);who.hidden=false;
                document.querySelector('#main').hidden=false;load();}catch(e){}
            }
            async function load(){
              const r=await api('/v1/services');const list=await r.json();
              const rows=list.map(s=>`<tr><td>${s.name}</td><td>${s.policy}</td><td class="${s.state}">${s.state}</td>
                <td>${s.health}</td><td>${s.instances.map(i=>i.id+' '+i.state+(i.port?' :'+i.port:'')).join('<br>')}</td></tr>`);
              document.querySelector('#t tbody').innerHTML=rows.join('');
              const apps=await (await api('/v1/apps')).json();
              const views=await Promise.all(apps.map(a=>a.state==='stopped'?a:api('/v1/apps/'+a.name).then(r=>r.json()).then(v=>({...v,name:a.name}))));
              document.querySelector('#a tbody').innerHTML=views.map(v=>{
                if(!v.queue)return `<tr><td>${v.name}</td><td class="stopped">stopped</td><td></td><td></td><td></td><td></td></tr>`;
                const cap=v.queue.capacity||Math.max(1,v.queue.depth);
                const q=`<span class="bar"><i style="width:${Math.min(100,100*v.queue.depth/cap)}%"></i></span> ${v.queue.depth}/${v.queue.capacity||'∞'}`;
                const conc=Math.max(1,...v.workers.map(w=>w.load));
                const ws=v.workers.map(w=>`<span class="w ${w.state}" title="${w.id} pid ${w.pid}"><i style="height:${100*w.load/conc}%"></i>${w.load}</span>`).join('');
                const crash=v['last-crash']?`${v['last-crash'].status}: ${(v['last-crash'].lines.slice(-1)[0]||'').replace(/</g,'&lt;')}`:'';
                const ev=`${v.served} served`+(v.abandoned?`, ${v.abandoned} abandoned`:'')+(v.crashes?`, ${v.crashes} crashes`:'');
                return `<tr><td>${v.name}</td><td class="${v.state}">${v.state}</td><td>${q}</td><td>${ws}</td><td>${ev}</td><td>${crash}</td></tr>`;
              }).join('');
            }
            start();setInterval(()=>{if(!document.querySelector('#main').hidden)load().catch(()=>{});},1000);
            </script></body></html>
            """;

    private Ui() {}
}
