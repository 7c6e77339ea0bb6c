"""The quote server and the feed reporter as real processes (`python -m corridor.cli …`) against the test
chain: quotes that fill, refusals that say why, bad input refused with a 4xx and nothing changed, the
per-taker rate limit, kill -9 and restart (no nonce signed twice, no fixing sent twice).

The suite is deployed and brought to the state after the demo's customer deposit (the market maker holds
JPY and bKHR and has approved the venue) by the demo's own steps, its book in a temporary folder.
"""

from __future__ import annotations

import json
import time

import pytest
from brownie import chain, web3

from corridor.demo import CorridorDemo
from corridor.exchange import rfq
from corridor.services import http
from corridor.services.chain import dev_account
from corridor.services.quotes import chain_time, quote_from_json
from corridor.suite import dev_party_key
from tests.cli.procs import Service, raw_post


@pytest.fixture(scope="module")
def corridor(tmp_path_factory):
    out = tmp_path_factory.mktemp("services")
    demo = CorridorDemo("development", reports=out, book_dir=out)
    for step in (demo.deploy, demo.issuers_mint, demo.bakong_side, demo.liquidity, demo.market_maker,
                 demo.customer_deposit):  # fmt: skip
        step()
    demo.stop_services()  # the demo's Bakong-side processes; the tests below start their own
    assert dev_account(0).address == demo.admin.address  # the reporter key below is the admin's
    return demo, out


@pytest.fixture(scope="module")
def chain_env(corridor):
    _, out = corridor
    return {"CORRIDOR_RPC": web3.provider.endpoint_uri, "CORRIDOR_BOOK": str(out / "development.json")}


def quote_server(corridor, chain_env, *args: str, kill_at: str | None = None) -> Service:
    _, out = corridor
    env = {**chain_env, "MAKER_PRIVATE_KEY": dev_party_key("market-maker")}
    if kill_at:
        env["CORRIDOR_KILL_AT"] = kill_at
    return Service("quote-server", ["--state", str(out / "qs-state.json"), "--poll", "0.3", *args], env,
                   out / "quote-server.log")  # fmt: skip


@pytest.fixture(scope="module")
def server(corridor, chain_env):
    service = quote_server(corridor, chain_env, "--rate-limit", "1000").start()
    yield service
    assert service.stop() == 0  # SIGTERM: a clean exit


def ask(server, **body):
    return http.call(server.url + "/quote", body)


def refused(server, body) -> tuple[int, str]:
    with pytest.raises(http.HttpError) as exc:
        http.call(server.url + "/quote", body)
    return exc.value.status, exc.value.reason


# ------------------------------------------------------------------ quotes


def test_firm_exact_out_quote_is_signed_for_the_venue_and_fills(corridor, server):
    demo, _ = corridor
    customer, merchant = demo.who["customer"], demo.who["merchant"]
    answer = ask(server, sell="KHR", buy="JPY", amountOut=10_000, taker=customer.address)
    signed = quote_from_json(answer)
    q = signed.quote
    assert (q.token_in, q.token_out, q.taker) == (demo.bkhr.address, demo.jpy.address, customer.address)
    assert answer["digest"] == "0x" + bytes(demo.venue.hashQuote(q.as_tuple())).hex()  # the venue's own hash
    assert answer["fill"] == "fillExactOut" and q.amount_out >= 10_000 and q.amount_in > 0
    before = demo.jpy.balanceOf(merchant)
    demo.bkhr.approve(demo.venue, q.amount_in, {"from": customer})
    args = signed.fill_exact_out_args(10_000, q.amount_in, merchant.address, rfq.reference("INV-SVC-1"))
    demo.venue.fillExactOut(*args, {"from": customer})
    assert demo.jpy.balanceOf(merchant) - before == 10_000
    status = http.call(server.url + "/quote/status", {"digest": answer["digest"]})
    assert (status["filled"], status["nonce"]) == (True, q.nonce)


def test_exact_in_quote_by_address(corridor, server):
    demo, _ = corridor
    answer = ask(server, sell=demo.jpy.address, buy=demo.bkhr.address, amountIn="20000")
    assert answer["fill"] == "fillExactIn" and answer["quote"]["amountIn"] == "20000"
    assert answer["quote"]["taker"] == rfq.ZERO_ADDRESS and int(answer["quote"]["amountOut"]) > 0


def test_pay_script_takes_its_rfq_quote_from_the_quote_server(corridor, server):
    """`pay.py … quote_url=URL` (corridor.pay.main): the RFQ venue fills a quote the server issued."""
    from corridor import pay

    demo, out = corridor
    before = demo.jpy.balanceOf(demo.who["merchant"])
    args = ["customer", "merchant", "8000", "INV-SVC-PAY", "venue=rfq", f"quote_url={server.url}"]
    result = pay.main(args, "development", book_dir=out)
    assert demo.jpy.balanceOf(demo.who["merchant"]) - before == 8_000
    [fill] = list(chain.get_transaction(result.tx).events["QuoteFilled"])
    issued = json.loads((out / "qs-state.json").read_text())["quotes"]
    assert "0x" + bytes(fill["quoteHash"]).hex() in issued


def fresh_health(server):
    """The server's health from a check that saw the chain's current head (not one from before it)."""
    head = web3.eth.block_number
    return server.wait_for(
        lambda: (h := server.health())["lastBlock"] >= head and h, what=f"a check at {head}"
    )


def refusal(server, body) -> dict:
    status, answer = raw_post(server.url + "/quote", json.dumps(body).encode())
    assert status == 409
    return answer


def test_refuses_during_a_fixing_window_and_says_why(corridor, server):
    demo, _ = corridor
    feed = demo.suite.exchange.feeds["JPY"]
    feed.scheduleFixing(chain[-1].timestamp, {"from": demo.admin})
    answer = refusal(server, {"sell": "KHR", "buy": "JPY", "amountOut": 1_000})
    assert answer["error"].startswith("fixing pending: feed for")
    assert answer["feeds"]["JPY"]["state"] == "fixing pending"
    assert (answer["feeds"]["KHR"]["state"], answer["feeds"]["USD"]) == (
        "fresh",
        {"state": "fresh", "price": "1"},
    )
    health = fresh_health(server)
    assert health["status"] == "degraded" and health["lastError"] == "refusing quotes: JPY: fixing pending"
    jpy = health["details"]["feeds"]["JPY"]
    assert (jpy["state"], jpy["price"]) == ("fixing pending", "0.0067")


def test_refuses_a_stale_feed_and_says_why(corridor, server):
    """Both feeds go stale (the JPY fixing window of the test above lapsed meanwhile): the report names every
    feed's own state, from a check made after the clock moved (not the fixing-pending one from before)."""
    demo, _ = corridor
    feeds = demo.suite.exchange.feeds
    chain.sleep(27 * 3600)
    chain.mine()
    stale_since = {
        c: chain_time(feeds[c].latestRoundData()[3] + feeds[c].heartbeat()) for c in ("JPY", "KHR")
    }
    answer = refusal(server, {"sell": "KHR", "buy": "JPY", "amountOut": 1_000})
    assert answer["error"].startswith("stale feed: ")
    assert answer["feeds"]["JPY"]["state"] == f"stale feed since {stale_since['JPY']}"
    assert answer["feeds"]["KHR"]["state"] == f"stale feed since {stale_since['KHR']}"
    health = fresh_health(server)
    assert health["status"] == "degraded" and "stale feed" in health["lastError"]
    assert health["lastError"] == (
        f"refusing quotes: JPY: stale feed since {stale_since['JPY']}; "
        f"KHR: stale feed since {stale_since['KHR']}"
    )
    khr = health["details"]["feeds"]["KHR"]
    assert khr["staleSince"] == stale_since["KHR"] and khr["age"] >= 27 * 3600


def test_refuses_a_closed_market(corridor, server):
    demo, _ = corridor
    demo.suite.exchange.feeds["KHR"].closeMarket(chain[-1].timestamp + 86_400, {"from": demo.admin})
    status, reason = refused(server, {"sell": "KHR", "buy": "JPY", "amountOut": 1_000})
    assert status == 409 and reason.startswith("market closed: feed for")


def test_refuses_beyond_the_maker_limit(server):
    status, reason = refused(server, {"sell": "KHR", "buy": "JPY", "amountOut": 10**12})
    assert status == 409 and reason.startswith("maker limit: quote worth")


BAD_BODIES = [
    ({"buy": "JPY", "amountOut": 1}, 400, "missing field 'sell'"),
    ({"sell": "KHR", "buy": "JPY"}, 400, "exactly one of"),
    ({"sell": "KHR", "buy": "JPY", "amountIn": 1, "amountOut": 1}, 400, "exactly one of"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": 0}, 400, "between 1 and"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": -5}, 400, "between 1 and"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": 2**200}, 400, "between 1 and"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": "1e6"}, 400, "whole number"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": 1.5}, 400, "must be int/str"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": True}, 400, "must be int/str"),
    ({"sell": 7, "buy": "JPY", "amountOut": 1}, 400, "'sell' must be str"),
    ({"sell": "THB", "buy": "JPY", "amountOut": 1}, 400, "unknown token 'THB'"),
    ({"sell": "0x" + "12" * 20, "buy": "JPY", "amountOut": 1}, 400, "unknown token"),
    ({"sell": "JPY", "buy": "JPY", "amountOut": 1}, 400, "the same token"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": 1, "taker": "bob"}, 400, "not an address"),
    ({"sell": "KHR", "buy": "JPY", "amountOut": 1, "price": 2}, 400, "unknown field(s): price"),
]


@pytest.mark.parametrize("body,status,reason", BAD_BODIES, ids=[r for _, _, r in BAD_BODIES])
def test_bad_quote_request_is_refused_and_changes_nothing(corridor, server, body, status, reason):
    _, out = corridor
    state = (out / "qs-state.json").read_bytes() if (out / "qs-state.json").exists() else b""
    got_status, got_reason = refused(server, body)
    assert got_status == status and reason in got_reason
    assert ((out / "qs-state.json").read_bytes() if state else b"") == state  # no nonce spent


def test_malformed_oversized_and_unknown_requests(corridor, server):
    _, out = corridor
    state = (out / "qs-state.json").read_bytes() if (out / "qs-state.json").exists() else b""
    assert raw_post(server.url + "/quote", b"{not json")[0] == 400
    status, body = raw_post(server.url + "/quote", b'["a list"]')
    assert (status, body["error"]) == (400, "body must be a JSON object")
    status, body = raw_post(server.url + "/quote", b"{" + b" " * 10_000 + b"}")
    assert status == 413 and "above the limit" in body["error"]
    assert raw_post(server.url + "/nowhere", b"{}")[0] == 404
    with pytest.raises(http.HttpError) as exc:
        http.call(server.url + "/quote/status", {"digest": "0x" + "ab" * 32})
    assert (exc.value.status, exc.value.reason) == (404, "unknown quote 0x" + "ab" * 32)
    with pytest.raises(http.HttpError) as exc:
        http.call(server.url + "/quote/status", {"digest": "0x1234"})
    assert exc.value.status == 400 and "32-byte" in exc.value.reason
    assert ((out / "qs-state.json").read_bytes() if state else b"") == state
    assert server.health()["status"] in ("ok", "degraded")  # still serving


def test_rate_limit_per_taker(corridor, chain_env):
    demo, _ = corridor
    limited = quote_server(corridor, chain_env, "--rate-limit", "2").start()
    try:
        body = {"sell": "KHR", "buy": "JPY", "amountOut": 1_000, "taker": demo.who["customer"].address}
        ask(limited, **body)
        ask(limited, **body)
        status, reason = refused(limited, body)
        assert status == 429 and reason.startswith("rate limit: at most 2 quotes a minute per taker")
        ask(limited, **{**body, "taker": demo.who["merchant"].address})  # another taker is not held back
    finally:
        limited.stop()


def test_kill_9_after_the_nonce_is_written_never_signs_it_again(corridor, chain_env, server):
    """A server killed between writing a nonce and answering: the client gets no quote; the restarted
    server continues after that nonce (two live quotes never share one)."""
    _, out = corridor
    first = quote_from_json(ask(server, sell="KHR", buy="JPY", amountOut=1_000)).quote.nonce
    server.stop()
    crashing = quote_server(corridor, chain_env, kill_at="quote.recorded:1").start()
    with pytest.raises(http.HttpError) as exc:
        ask(crashing, sell="KHR", buy="JPY", amountOut=1_000)
    assert exc.value.status == 0  # the connection died with the process
    assert crashing.proc.wait(10) == 137
    assert json.loads((out / "qs-state.json").read_text())["next_nonce"] == first + 2
    server.start()  # same state file, a fresh process
    again = quote_from_json(ask(server, sell="KHR", buy="JPY", amountOut=1_000)).quote.nonce
    assert again == first + 2


def test_kill_9_anywhere_then_restart_keeps_issued_quotes(corridor, server):
    answer = ask(server, sell="KHR", buy="JPY", amountOut=1_000)
    server.kill9()
    server.start()
    status = http.call(server.url + "/quote/status", {"digest": answer["digest"]})
    assert status["nonce"] == int(answer["quote"]["nonce"]) and status["filled"] is False
    later = ask(server, sell="KHR", buy="JPY", amountOut=1_000)
    assert int(later["quote"]["nonce"]) == status["nonce"] + 1


# ------------------------------------------------------------------ feed reporter


def reporter(corridor, chain_env, rates: dict | str, *args: str, kill_at: str | None = None) -> Service:
    _, out = corridor
    source = out / "rates.json"
    source.write_text(rates if isinstance(rates, str) else json.dumps(rates))
    env = {**chain_env, "REPORTER_PRIVATE_KEY": "0x" + dev_account(0).key.hex().removeprefix("0x")}
    if kill_at:
        env["CORRIDOR_KILL_AT"] = kill_at
    return Service("feed-reporter", ["--source", str(source), "--interval", "0.3", *args], env,
                   out / "feed-reporter.log")  # fmt: skip


def test_reporter_pushes_a_rate_within_the_breaker(corridor, chain_env):
    demo, _ = corridor
    feed = demo.suite.exchange.feeds["JPY"]
    round_before, head_before = feed.latestRoundData()[0], web3.eth.block_number
    service = reporter(corridor, chain_env, {"JPY": "0.00675", "KHR": "0.000245"}).start()
    try:
        service.wait_for(lambda: feed.latestRoundData()[1] == 675_000, what="the JPY fixing")
        health = service.wait_for(lambda: (h := service.health())["status"] == "ok" and h, what="ok")
        assert health["lastBlock"] >= head_before and health["lag"] == 0
        assert feed.latestRoundData()[0] == round_before + 1
    finally:
        assert service.stop() == 0


def test_reporter_holds_a_move_beyond_the_breaker_and_alerts(corridor, chain_env):
    demo, _ = corridor
    feed = demo.suite.exchange.feeds["JPY"]
    service = reporter(corridor, chain_env, {"JPY": "0.0075", "KHR": "0.000245"}, "--feeds", "JPY").start()
    try:
        health = service.wait_for(lambda: (h := service.health())["status"] == "degraded" and h, what="alert")
        assert health["lastError"].startswith(
            "JPY: 0.0075 is 1195 bps from the feed's answer, beyond its breaker"
        )
        assert feed.latestRoundData()[1] == 670_000  # nothing walked in
        assert "ALERT JPY: 0.0075" in service.log.read_text()
    finally:
        service.stop()


def test_reporter_alerts_on_a_bad_source_and_sends_nothing(corridor, chain_env):
    demo, _ = corridor
    nonce = web3.eth.get_transaction_count(demo.admin.address)
    service = reporter(corridor, chain_env, '{"JPY": "abc"}').start()
    try:
        health = service.wait_for(lambda: (h := service.health())["status"] == "degraded" and h, what="alert")
        assert health["lastError"].startswith("source: ") and "not a number" in health["lastError"]
        assert web3.eth.get_transaction_count(demo.admin.address) == nonce
    finally:
        service.stop()


def test_reporter_killed_between_window_and_submit_submits_once_on_restart(corridor, chain_env):
    demo, _ = corridor
    feed = demo.suite.exchange.feeds["JPY"]
    round_before = feed.latestRoundData()[0]
    crashing = reporter(
        corridor, chain_env, {"JPY": "0.0068"}, "--feeds", "JPY", kill_at="reporter.scheduled:1"
    )
    crashing.start(wait=False)
    assert crashing.proc.wait(60) == 137
    assert feed.fixingAt() != 0 and feed.latestRoundData()[1] == 670_000  # the window is open, no rate yet
    service = reporter(corridor, chain_env, {"JPY": "0.0068"}, "--feeds", "JPY").start()
    try:
        service.wait_for(lambda: feed.latestRoundData()[1] == 680_000, what="the fixing after restart")
        service.kill9()
        service.start()  # same rate again: nothing is due
        service.wait_for(lambda: service.health()["details"].get("feeds"), what="a pass")
        time.sleep(1)
        assert feed.latestRoundData()[0] == round_before + 1  # submitted once
    finally:
        service.stop()


def test_remote_maker_is_a_quote_provider_for_best_execution(corridor, server):
    from corridor.exchange.best_execution import Declined, DeclineReason
    from corridor.services.quotes import RemoteMaker

    demo, _ = corridor
    maker = RemoteMaker(server.url)
    signed = maker.quote_exact_out(
        demo.bkhr.address, demo.jpy.address, 5_000, taker=demo.who["customer"].address
    )
    assert signed.quote.amount_out >= 5_000 and signed.domain.verifying_contract == demo.venue.address
    demo.suite.exchange.feeds["JPY"].scheduleFixing(chain[-1].timestamp, {"from": demo.admin})
    with pytest.raises(Declined) as exc:
        maker.quote_exact_in(demo.bkhr.address, demo.jpy.address, 10_000)
    assert exc.value.reason is DeclineReason.FIXING_PENDING
