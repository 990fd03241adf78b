package dev.steward.agent.api;

/** A first web page: the services and their instances, refreshed from the API. */
final class Ui {
    static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Steward</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
            table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}
            .available{color:#1a7f37}.waiting,.starting{color:#9a6700}.stopped,.stopping{color:#666}.disabled{color:#cf222e}
            </style></head>
            <body><h1>Steward</h1><table id="t"><thead><tr><th>service</th><th>policy</th><th>state</th><th>health</th>
            <th>instances</th></tr></thead><tbody></tbody></table>
            <script>
            async function load(){
              const r=await fetch('/v1/services');const list=await r.json();
              const rows=list.map(s=>`<tr><td>${s.name}</td><td>${s.policy}</td><td class="${s.state}">${s.state}</td>
                <td>${s.health}</td><td>${s.instances.map(i=>i.id+' '+i.state+(i.port?' :'+i.port:'')).join('<br>')}</td></tr>`);
              document.querySelector('#t tbody').innerHTML=rows.join('');
            }
            load();setInterval(load,1000);
            </script></body></html>
            """;

    private Ui() {}
}
