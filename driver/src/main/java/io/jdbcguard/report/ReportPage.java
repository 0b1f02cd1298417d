package io.jdbcguard.report;

/**
 * The HTML report: one self-contained page (no network, no external file). The rows travel as the JSON
 * the page embeds; its script renders one table per rule, sortable by clicking a column's heading.
 */
final class ReportPage {

    private ReportPage() {
    }

    static String html(String json, long dropped) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>jdbc-guard report</title>
                <style>
                  body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
                  h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
                  table { border-collapse: collapse; width: 100%%; }
                  th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
                  th { background: #f3f3f3; cursor: pointer; user-select: none; }
                  td.sql, td.site { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all;
                                    min-width: 14em; }
                  td.first { font-size: 12px; word-break: break-all; min-width: 10em; }
                  td.fix { min-width: 22em; font-size: 13px; }
                  tr.ERROR td.level { color: #b00; font-weight: bold; } tr.WARN td.level { color: #a60; }
                  .none { color: #070; }
                </style>
                </head>
                <body>
                <h1>jdbc-guard report</h1>
                <p id="summary"></p>
                <div id="rules"></div>
                <script id="data" type="application/json">
                %s</script>
                <script>
                (function () {
                  var rows = JSON.parse(document.getElementById('data').textContent);
                  var cols = [['level', 'level'], ['table', 'table'], ['columns', 'columns'], ['checkSite', 'site'],
                              ['writeSite', 'site'], ['isolation', 'isolation'], ['sql', 'sql'], ['count', 'count'],
                              ['firstSeenBy', 'first'], ['fix', 'fix']];
                  var heads = {level: 'level', table: 'table', columns: 'columns', checkSite: 'check site',
                               writeSite: 'write site', isolation: 'isolation', sql: 'SQL', count: 'count',
                               firstSeenBy: 'first seen by', fix: 'fix'};
                  document.getElementById('summary').textContent = rows.length === 0
                      ? 'No finding.' : rows.length + ' place(s) with findings%s.';
                  if (rows.length === 0) { document.getElementById('summary').className = 'none'; }
                  var byRule = {};
                  rows.forEach(function (r) { (byRule[r.rule] = byRule[r.rule] || []).push(r); });
                  Object.keys(byRule).sort().forEach(function (rule) {
                    var h = document.createElement('h2');
                    h.textContent = rule + ' (' + byRule[rule].length + ', '
                        + (rule === 'observed-race' || rule === 'deadlock' ? 'happened' : 'can happen') + ')';
                    var table = document.createElement('table');
                    table.className = 'rule';
                    table.setAttribute('data-rule', rule);
                    var tr = document.createElement('tr');
                    cols.forEach(function (c, i) {
                      var th = document.createElement('th');
                      th.textContent = heads[c[0]];
                      th.onclick = function () { sort(table, byRule[rule], c[0]); };
                      tr.appendChild(th);
                    });
                    table.appendChild(tr);
                    fill(table, byRule[rule]);
                    document.getElementById('rules').appendChild(h);
                    document.getElementById('rules').appendChild(table);
                  });
                  function fill(table, list) {
                    while (table.rows.length > 1) { table.deleteRow(1); }
                    list.forEach(function (r) {
                      var tr = table.insertRow();
                      tr.className = r.level;
                      cols.forEach(function (c) {
                        var td = tr.insertCell();
                        td.className = c[1];
                        var v = r[c[0]];
                        td.textContent = v === null || v === undefined ? '' : String(v);
                        if (c[0] === 'fix') { td.title = r.message; }
                      });
                    });
                  }
                  function sort(table, list, key) {
                    var dir = table.getAttribute('data-sorted') === key ? -1 : 1;
                    table.setAttribute('data-sorted', dir === 1 ? key : '');
                    list.sort(function (a, b) {
                      var x = a[key], y = b[key];
                      if (typeof x === 'number') { return dir * (x - y); }
                      return dir * String(x === null ? '' : x).localeCompare(String(y === null ? '' : y));
                    });
                    fill(table, list);
                  }
                })();
                </script>
                </body>
                </html>
                """.formatted(json, dropped > 0 ? " (" + dropped + " more places not kept)" : "");
    }
}
