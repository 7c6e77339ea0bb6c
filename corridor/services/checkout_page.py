"""The merchant's checkout page: server-rendered HTML plus a little JavaScript (no build step).

It shows the KHQR image, the price in banker units with the unit in its label, the quote window's
countdown, and follows the invoice through the poll endpoint to "paid on Bakong", then (when the checkout
settles on chain) to "settled" (the yen the merchant received and the settlement's tx hash) or "refunded"
(with the reason). In sandbox mode a button pays the KHQR on the Bakong
simulator (POST /sandbox/pay), as the customer's Bakong app would.
"""

from __future__ import annotations

import html
import json
from decimal import Decimal
from typing import Any

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:34rem;color:#222}
h1{font-size:1.3rem} table{border-collapse:collapse;margin:1rem 0;width:100%;table-layout:fixed}
td,th{padding:.25rem .75rem;text-align:left;border-bottom:1px solid #ddd} th{width:45%}
td.num{text-align:right} td.hash{font-family:monospace;font-size:.8rem;word-break:break-all}
#status{font-size:1.4rem;font-weight:bold;padding:.5rem 1rem;border-radius:.3rem;display:inline-block}
.s-quoted{background:#eef} .s-paid{background:#cfc} .s-settled{background:#9e9} .s-refunded{background:#fdd} .s-expired{background:#eee}
button{font-size:1rem;padding:.5rem 1rem} #error{color:#a00}
"""

_SCRIPT = """
const inv = JSON.parse(document.getElementById('invoice-data').textContent);
const q = encodeURIComponent(inv.number);
const cls = s => s === 'paid on Bakong' ? 's-paid' : s === 'settled' ? 's-settled' : s === 'refunded' ? 's-refunded'
  : s === 'expired' ? 's-expired' : 's-quoted';
const yen = n => '\\u00a5' + Number(n).toLocaleString('en-US');
let end = Date.now() + inv.secondsLeft * 1000;
function show(d) {
  const st = document.getElementById('status');
  st.textContent = d.status; st.className = cls(d.status);
  document.getElementById('received').textContent = d.yenReceived ? yen(d.yenReceived) : '-';
  document.getElementById('settlement-hash').textContent = d.settlementHash || '-';
  document.getElementById('bakong-hash').textContent = d.bakongHash || '-';
  document.getElementById('refund-hash').textContent = d.refundHash || '-';
  document.getElementById('reason').textContent = d.reason || '-';
  if (d.status !== 'quoted') { end = Date.now(); tick(); const b = document.getElementById('pay'); if (b) b.disabled = true; }
}
function tick() {
  const s = Math.max(0, Math.round((end - Date.now()) / 1000));
  document.getElementById('countdown').textContent =
    Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}
async function follow(status) {
  for (;;) {
    try {
      const r = await fetch('/api/poll?number=' + q + '&status=' + encodeURIComponent(status) + '&wait=20');
      const d = await r.json();
      if (!r.ok) { document.getElementById('error').textContent = d.error; return; }
      show(d); status = d.status;
      if (status !== 'quoted' && !(status === 'paid on Bakong' && d.settles)) return;
    } catch (e) { await new Promise(res => setTimeout(res, 1000)); }
  }
}
async function pay() {
  const r = await fetch('/sandbox/pay', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                          body: JSON.stringify({number: inv.number})});
  const d = await r.json();
  document.getElementById('error').textContent = r.ok ? '' : d.error;
}
const b = document.getElementById('pay'); if (b) b.addEventListener('click', pay);
show(inv); tick(); setInterval(tick, 500); follow(inv.status);
"""


def render(invoice: dict[str, Any], sandbox: bool) -> str:
    """The page of one invoice (`invoice`: the API's invoice JSON)."""
    e = html.escape
    unit = invoice["currency"]
    amount = f"{Decimal(invoice['priceDecimal']):,}"  # banker units with thousands separators
    data = json.dumps(invoice).replace("</", "<\\/")
    pay = '<p><button id="pay">Pay with the simulator</button></p>' if sandbox else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice {e(invoice["number"])}</title>
<style>{_STYLE}</style></head>
<body>
<h1>Invoice {e(invoice["number"])} &mdash; {e(invoice["merchant"])}</h1>
<img id="qr" src="{e(invoice["qrUrl"])}" alt="KHQR of invoice {e(invoice["number"])}" width="264" height="264">
<table>
<tr><th>Amount ({unit})</th><td class="num" id="amount">{amount}</td></tr>
<tr><th>Invoice (JPY)</th><td class="num" id="yen">{invoice["yen"]:,}</td></tr>
<tr><th>Quote window left (min:s)</th><td class="num" id="countdown">-</td></tr>
<tr><th>Status</th><td><span id="status">{e(invoice["status"])}</span></td></tr>
<tr><th>Received (JPY)</th><td class="num" id="received">-</td></tr>
<tr><th>Bakong transaction</th><td class="hash" id="bakong-hash">-</td></tr>
<tr><th>Settlement transaction</th><td class="hash" id="settlement-hash">-</td></tr>
<tr><th>Refund transaction</th><td class="hash" id="refund-hash">-</td></tr>
<tr><th>Reason</th><td id="reason">-</td></tr>
</table>
{pay}
<p id="error"></p>
<details><summary>KHQR string</summary><code id="khqr">{e(invoice["khqr"])}</code></details>
<script type="application/json" id="invoice-data">{data}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
