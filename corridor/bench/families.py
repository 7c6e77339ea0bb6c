"""Per-family measurements for `make gas`. The corridor is deployed once with `corridor.suite` (the
same code as scripts/deploy.py, compliance on); the exchange rows use plain ERC-20s so that they
compare with Uniswap V2 on the same tokens. Every operation is its own transaction, in the state
named in its row.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils import keccak

from corridor.bench.report import Report, Row
from corridor.codes import CAMBODIA, JAPAN, Tier
from corridor.suite import dev_key

RETAIL = int(Tier.RETAIL)

GOALS = {
    "transfer_existing": 41_400,
    "transfer_new": 57_200,
    "transfer_from": 49_000,
    "transfer_with_authorization": 79_000,
    "bridge_mint_3of5": 120_000,
    "bridge_batch_mint_per_deposit_n64": 35_000,
    "bridge_batch_finalize_per_redemption_n64": 35_000,
    "pool_swap": 110_000,
    "router_1hop": 130_000,
    "router_2hop": 190_000,
    "rfq_fill_warm": 90_000,
    "rfq_cross": 100_000,
    "settle_rfq": 230_000,
    "settle_amm_2hop": 320_000,
    "outbound_khqr_rfq": 220_000,
}
FAR = 2**64  # deadline


def keyed_account(label: str) -> Any:
    """A brownie account with a well-known key (benchmark only; `accounts.add()` would print a mnemonic)."""
    from brownie import accounts

    return accounts.add(dev_key(f"corridor gas benchmark {label}"))


def measure_all(report: Report, refs: dict[str, Any]) -> None:
    """Deploys the corridor once, then adds every family's rows and scaling tables."""
    from brownie import accounts
    from brownie import project as brownie_project

    from corridor.deploy.settings import load_settings
    from corridor.suite import deploy_suite

    project = brownie_project.get_loaded_projects()[0]
    settings = load_settings("development", development=True)
    suite = deploy_suite(project, accounts[0], settings, accounts)
    stablecoin(report, refs, suite, settings)
    settlement(report, suite, settings)  # before bridge(): it rotates the validators to benchmark keys
    outbound(report, project, suite, settings)
    bridge(report, suite, settings)
    exchange(report, refs, project)
    rfq(report, refs, project)


def stablecoin(report: Report, refs: dict[str, Any], suite: Any, settings: dict[str, Any]) -> None:
    """The goal rows use a retail sender (KYC tier 1, per-transfer and daily limits on): every
    compliance check runs. An institutional sender (tier 4, no limits) is shown for comparison."""
    from brownie import accounts

    from corridor.stablecoin.ops import StablecoinOps
    from corridor.suite import parties

    who = parties(settings, accounts)
    jpy, registry = suite.stablecoin.token, suite.stablecoin.registry
    ops = StablecoinOps(jpy, registry)
    admin, lp, mm, issuer = who["admin"], who["liquidity"], who["market_maker"], who["issuer_a"]
    issuer_id = suite.stablecoin.issuer_ids["Trust Bank A"]
    retail = keyed_account("retail sender")
    jpy.setKyc(retail, RETAIL, JAPAN, {"from": admin})
    ops.mint(issuer_id, retail, ops.units(500_000), "GAS-1", issuer)
    ops.mint(issuer_id, mm, ops.units(1_000), "GAS-2", issuer)
    ops.mint(issuer_id, lp, ops.units(500_000), "GAS-3", issuer)
    jpy.transfer(mm, ops.units(100), {"from": retail})  # the sender's daily counter is already in use today
    existing = jpy.transfer(mm, ops.units(100), {"from": retail}).gas_used
    institutional = (
        jpy.transfer(mm, ops.units(100), {"from": issuer}).gas_used if jpy.balanceOf(issuer) else None
    )
    if institutional is None:
        ops.mint(issuer_id, issuer, ops.units(1_000), "GAS-4", issuer)
        institutional = jpy.transfer(mm, ops.units(100), {"from": issuer}).gas_used
    fresh = keyed_account("new holder")
    jpy.setKyc(fresh, RETAIL, JAPAN, {"from": admin})  # verified (compliance requires it) but holding nothing
    new = jpy.transfer(fresh, ops.units(100), {"from": retail}).gas_used
    spender = accounts[9]
    jpy.approve(spender, ops.units(10_000), {"from": retail})
    from_ = jpy.transferFrom(retail, mm, ops.units(100), {"from": spender}).gas_used
    signer = keyed_account("eip-3009 signer")
    jpy.setKyc(signer, RETAIL, JAPAN, {"from": admin})
    jpy.transfer(signer, ops.units(10_000), {"from": lp})
    jpy.transfer(mm, ops.units(1), {"from": signer})  # daily counter in use, as for the other rows
    nonce, sig = ops.sign_transfer_authorization(
        signer.private_key, signer.address, mm.address, ops.units(100), FAR
    )
    auth = jpy.transferWithAuthorization[
        "address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32"
    ](signer.address, mm, ops.units(100), 0, FAR, nonce, *sig.vrs, {"from": spender}).gas_used
    oz = refs["oz_proxy"]
    for op, gas, key, state in (
        ("JPY transfer, existing holder", existing, "transfer_existing", "retail sender (tier 1, limits on)"),
        ("JPY transfer, new holder", new, "transfer_new", "retail sender; recipient KYC'd, zero balance"),
        ("JPY transferFrom", from_, "transfer_from", "retail owner, finite allowance"),
    ):
        report.add(Row(op, gas, "OZ v5 ERC20 behind ERC1967Proxy", oz[key], GOALS[key], state))
    report.add(
        Row(
            "JPY transferWithAuthorization (EIP-3009)",
            auth,
            "OZ proxy permit + transferFrom (2 txs)",
            oz["permit_plus_transfer_from"],
            GOALS["transfer_with_authorization"],
            "retail signer, relayer submits",
        )
    )
    report.add(
        Row(
            "JPY transfer, existing holder, institutional sender",
            institutional,
            "OZ v5 ERC20 behind ERC1967Proxy",
            oz["transfer_existing"],
            None,
            "tier 4 (no limits): for comparison",
        )
    )


def settlement(report: Report, suite: Any, settings: dict[str, Any]) -> None:
    """An invoice paid by KHQR settled in one transaction (3-of-5 hooked mint into InvoiceSettlement, FX paying the
    merchant directly): each row is the second invoice of its kind (the maker's nonce word and the paid-bitmap word
    warm), paid exactly the KHQR amount (no surplus to refund). A surplus refund (redemption escrow) is shown too."""
    from brownie import accounts

    from corridor.invoice_desk import fund_corridor
    from corridor.settlement import outcome

    desk = fund_corridor(suite, settings, accounts, accounts[0], accounts[9])

    def settle(kind: str, bound_bps: int = 0) -> int:
        inv, data = (
            desk.rfq_invoice(10_000) if kind == "rfq" else desk.amm_invoice(10_000, bound_bps=bound_bps)
        )
        tx = desk.pay(inv, data, inv.price)
        assert outcome(tx.events).settled, f"the {kind} benchmark invoice was refunded"
        return tx.gas_used

    settle("rfq")
    rfq_gas = settle("rfq")
    settle("amm")
    amm_gas = settle("amm")
    surplus_gas = settle("amm", bound_bps=50)
    for name, gas, goal, state in (
        (
            "Invoice settled in one tx: 3-of-5 hooked mint + RFQ fill to merchant",
            rfq_gas,
            "settle_rfq",
            "bKHR→JPYS",
        ),
        (
            "Invoice settled in one tx: 3-of-5 hooked mint + AMM 2 hops to merchant",
            amm_gas,
            "settle_amm_2hop",
            "bKHR→bUSD→JPYS exact out, no surplus",
        ),
        (
            "Invoice settled via AMM with surplus refunded to the escrow",
            surplus_gas,
            None,
            "50 bps bound unused",
        ),
    ):
        report.add(Row(name, gas, "", None, GOALS[goal] if goal else None, state))


def _bridge_keys(n: int, salt: str) -> list[str]:
    return [dev_key(f"{salt} {i}") for i in range(n)]


def outbound(report: Report, project: Any, suite: Any, settings: dict[str, Any]) -> None:
    """A yen payer pays a KHQR for 40,000 riel through KhqrPayer in one tx: JPYS pulled, RFQ fill exact-out
    straight into the bridge's escrow, redemption recorded. Payer retail (tier 1, limits on), infinite approval,
    the maker's nonce word and fee slot warm (second fill), `maxJpyIn` = the venue's exact price."""
    from brownie import accounts, chain

    from corridor.demo_outbound import build_world, fund_payer
    from corridor.khqr_pay import remittance

    world = build_world(suite, settings, accounts, chain)
    payer = keyed_account("outbound payer")
    fund_payer(world, payer, 1_000_000)
    gas = 0
    for i in range(2):
        p = remittance("coffee@abab", "KHR", 40_000, 10**6, f"INV-GAS-{i}")
        sq = world.quote(p)
        exact = world.venue.previewExactOut(sq.quote.as_tuple(), p.amount)[0]
        p = remittance("coffee@abab", "KHR", 40_000, exact, f"INV-GAS-{i}")
        gas = world.payer_contract.payWithQuote(
            p.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": payer}
        ).gas_used
    report.add(
        Row(
            "Outbound KHQR payment (RFQ fill + redemption escrow, 1 tx)",
            gas,
            "",
            None,
            GOALS["outbound_khqr_rfq"],
            "separately: RFQ fill 104,662 + bridge redeem 141,643 on the same tokens",
        )
    )


def bridge(report: Report, suite: Any, settings: dict[str, Any]) -> None:
    """Mint gas with M-of-(2M-1) attestations: warm currency (supply non-zero), recipient KYC'd."""
    from brownie import accounts, chain

    from corridor.bridge import attest
    from corridor.suite import dev_validator_keys, parties

    who = parties(settings, accounts)
    admin, relayer = who["admin"], accounts[9]
    b = suite.bridge.bridge
    bkhr = suite.bridge.token("KHR")
    domain = attest.bridge_domain(chain.id, b.address)
    keys = dev_validator_keys(int(settings["validators"]["dev_keys"]))
    threshold = int(settings["validators"]["threshold"])
    recipients = [keyed_account(f"bridge recipient {i}") for i in range(10)]
    for r in recipients:
        bkhr.setKyc(r, RETAIL, CAMBODIA, {"from": admin})
    counter = iter(range(10**6))

    def attest_reserve(balance: int, keys_now: list[str]) -> None:
        chain.sleep(1)
        att = attest.ReserveAttestation(attest.KHR, balance, chain.time(), b.epoch())
        sigs = attest.collect_signatures(domain, att, keys_now, b.threshold())
        b.attestReserve(att.as_tuple(), sigs, {"from": relayer})

    def mint(recipient: Any, keys_now: list[str]) -> int:
        tx_hash = keccak(text=f"bakong tx {next(counter)}")
        att = attest.MintAttestation(
            attest.KHR, 1_000, recipient.address, tx_hash, tx_hash[:16], chain.time() + 3_600, b.epoch()
        )
        sigs = attest.collect_signatures(domain, att, keys_now, b.threshold())
        return b.mint(att.as_tuple(), sigs, {"from": relayer}).gas_used

    attest_reserve(10**12, keys)
    mint(recipients[0], keys)  # warm-up: supply and bucket non-zero
    three_of_five = mint(recipients[1], keys)
    report.add(
        Row(
            f"Bakong bridge mint, {threshold}-of-{len(keys)} attestations",
            three_of_five,
            "",
            None,
            GOALS["bridge_mint_3of5"],
            "warm currency, recipient KYC'd with no bKHR",
        )
    )
    batch_mint(report, b, bkhr, domain, keys, admin, relayer, mint(recipients[0], keys))
    batch_finalize(report, b, bkhr, domain, keys, admin, relayer)
    scaling = []
    for m in range(1, 8):
        n = 2 * m - 1
        new_keys = _bridge_keys(n, f"gas validators {m}")
        b.setValidators(
            sorted((Account.from_key(k).address for k in new_keys), key=lambda a: int(a, 16)),
            m,
            {"from": admin},
        )
        attest_reserve(10**12 + m, new_keys)
        mint(recipients[2], new_keys)
        scaling.append({"M": m, "signatures": f"{m}-of-{n}", "mint gas": mint(recipients[2 + m], new_keys)})
    report.scaling["Bridge mint gas vs signatures M (N = 2M-1)"] = scaling


BATCH_SIZES = (1, 8, 64, 256)


def batch_mint(
    report: Report, b: Any, bkhr: Any, domain: Any, keys: list[str], admin: Any, relayer: Any, single: int
) -> None:
    """Per-deposit gas of `mintBatch` at N = 1, 8, 64, 256 (one attestation, the bridge's threshold of
    signatures), every recipient an existing KYC'd holder, beside `single` (one mint to an existing holder)."""
    from brownie import chain

    from corridor.bridge import attest

    holders = [
        Account.from_key(keccak(text=f"gas batch holder {i}")).address for i in range(max(BATCH_SIZES))
    ]
    for h in holders:
        bkhr.setKyc(h, RETAIL, CAMBODIA, {"from": admin})
    counter = iter(range(10**6))

    def send(recipients: list[str]) -> int:
        deposits = []
        for r in recipients:
            tx_hash = keccak(text=f"bakong batch tx {next(counter)}")
            deposits.append(attest.BatchDeposit(1_000, r, tx_hash, tx_hash[:16]))
        att = attest.batch_mint_attestation(attest.KHR, deposits, chain.time() + 3_600, b.epoch())
        sigs = attest.collect_signatures(domain, att, keys, b.threshold())
        return b.mintBatch(att.as_tuple(), [d.as_tuple() for d in deposits], sigs, {"from": relayer}).gas_used

    send(holders)  # every holder now holds bKHR
    rows = []
    for n in BATCH_SIZES:
        gas = send(holders[:n])
        rows.append(
            {
                "N": n,
                "batch gas": f"{gas:,}",  # text: kept out of the chart (per-deposit scale)
                "gas per deposit": gas // n,
                "single mint (existing holder)": single,
            }
        )
    per_64 = next(r["gas per deposit"] for r in rows if r["N"] == 64)
    report.add(
        Row(
            f"Bakong bridge batch mint per deposit, {b.threshold()}-of-{len(keys)}, N = 64",
            per_64,
            "",
            None,
            GOALS["bridge_batch_mint_per_deposit_n64"],
            f"existing holders; single mint to an existing holder {single:,}; N = 1, 8, 256 in the scaling table",
        )
    )
    report.scaling[BATCH_MINT_TABLE] = rows


BATCH_MINT_TABLE = "Bridge batch mint gas per deposit vs N (3-of-5, existing holders)"
BATCH_FINALIZE_TABLE = "Bridge batch finalization gas per redemption vs N (3-of-5)"


def batch_finalize(
    report: Report, b: Any, bkhr: Any, domain: Any, keys: list[str], admin: Any, relayer: Any
) -> None:
    """Per-redemption gas of `finalizeRedemptionBatch` at N = 1, 8, 64, 256 (one attestation, the bridge's
    threshold of signatures), beside one `finalizeRedemption`. Every redemption is 1,000 riel, pending, of one
    holder; each payout hash is new (its dedupe slot written from zero, as on a live bridge)."""
    from brownie import accounts, chain

    from corridor.bridge import attest

    redeemer = keyed_account("bridge redeemer")
    accounts[0].transfer(redeemer, 10**18)
    bkhr.setKyc(redeemer, RETAIL, CAMBODIA, {"from": admin})
    counter = iter(range(10**6))

    def payout_hash() -> bytes:
        return keccak(text=f"bakong payout {next(counter)}")

    deposit = payout_hash()
    att = attest.MintAttestation(
        attest.KHR, 1_000_000, redeemer.address, deposit, deposit[:16], chain.time() + 3_600, b.epoch()
    )
    b.mint(att.as_tuple(), attest.collect_signatures(domain, att, keys, b.threshold()), {"from": relayer})
    bkhr.approve(b, 2**256 - 1, {"from": redeemer})

    def redeem(n: int) -> list[int]:
        return [b.redeem(attest.KHR, 1_000, "gas@abab", {"from": redeemer}).return_value for _ in range(n)]

    def single(rid: int) -> int:
        f = attest.RedemptionFinalization(rid, payout_hash(), b.epoch())
        sigs = attest.collect_signatures(domain, f, keys, b.threshold())
        return b.finalizeRedemption(f.as_tuple(), sigs, {"from": relayer}).gas_used

    def batch(ids: list[int]) -> int:
        payouts = [attest.BatchPayout(i, payout_hash()) for i in ids]
        att = attest.batch_finalization(
            attest.KHR, payouts, [1_000] * len(ids), chain.time() + 3_600, b.epoch()
        )
        sigs = attest.collect_signatures(domain, att, keys, b.threshold())
        return b.finalizeRedemptionBatch(
            att.as_tuple(), [p.as_tuple() for p in payouts], sigs, {"from": relayer}
        ).gas_used

    print(f"make gas: {2 + sum(BATCH_SIZES)} redemptions of 1,000 riel for the finalization rows")
    ids = redeem(2 + sum(BATCH_SIZES))
    single(ids.pop())  # warm-up: the bridge's bKHR balance and supply are written once before
    one = single(ids.pop())
    report.add(
        Row(
            f"Bakong bridge finalizeRedemption, {b.threshold()}-of-{len(keys)}",
            one,
            "",
            None,
            None,
            "pending redemption, new payout hash, escrow burned",
        )
    )
    rows = []
    for n in BATCH_SIZES:
        chunk, ids = ids[:n], ids[n:]
        gas = batch(chunk)
        rows.append(
            {
                "N": n,
                "batch gas": f"{gas:,}",  # text: kept out of the chart (per-redemption scale)
                "gas per redemption": gas // n,
                "single finalizeRedemption": one,
            }
        )
    per_64 = next(r["gas per redemption"] for r in rows if r["N"] == 64)
    report.add(
        Row(
            f"Bakong bridge batch finalization per redemption, {b.threshold()}-of-{len(keys)}, N = 64",
            per_64,
            "",
            None,
            GOALS["bridge_batch_finalize_per_redemption_n64"],
            f"new payout hashes; single finalizeRedemption {one:,}; N = 1, 8, 256 in the scaling table",
        )
    )
    report.scaling[BATCH_FINALIZE_TABLE] = rows


def exchange(report: Report, refs: dict[str, Any], project: Any) -> None:
    """Pools and router on plain ERC-20s (JPY 0, USD 2, KHR 0 decimals) against Uniswap V2 on the same kind."""
    from brownie import accounts

    from corridor.exchange.deploy import DEFAULT_CONFIG, balanced_hub_amount, deploy_exchange, seed_pool

    admin, trader = accounts[0], accounts[8]
    jpy = project.MockERC20.deploy("Yen", "JPY", 0, {"from": admin})
    usd = project.MockERC20.deploy("US Dollar", "USD", 2, {"from": admin})
    khr = project.MockERC20.deploy("Riel", "KHR", 0, {"from": admin})
    for t in (jpy, usd, khr):
        t.mint(admin, 10**18, {"from": admin})
        t.mint(trader, 10**15, {"from": admin})
    ex = deploy_exchange(project, admin, DEFAULT_CONFIG, tokens={"JPY": jpy, "KHR": khr}, hub=usd)
    for symbol, token, amount in (("JPY", jpy, 100_000_000), ("KHR", khr, 2_700_000_000)):
        feed = DEFAULT_CONFIG["pairs"][symbol]["feed"]
        hub_amount = balanced_hub_amount(
            amount, feed["answer"], feed["decimals"], token.decimals(), usd.decimals()
        )
        seed_pool(ex.pools[symbol], token, usd, admin, amount, hub_amount)
    pool = ex.pools["JPY"]
    for t in (jpy, usd, khr):
        t.approve(pool, 2**256 - 1, {"from": trader})
        t.approve(ex.router, 2**256 - 1, {"from": trader})
        t.approve(ex.pools["KHR"], 2**256 - 1, {"from": trader})
    pool.swapExactIn(0, 10_000, 0, trader, FAR, {"from": trader})  # warm-up: fees and balances non-zero
    swap = pool.swapExactIn(0, 10_000, 0, trader, FAR, {"from": trader}).gas_used
    ref = b"\x01" * 32
    one = ex.router.swapExactIn([jpy, usd], 10_000, 0, trader, FAR, ref, {"from": trader}).gas_used
    two = ex.router.swapExactIn([jpy, usd, khr], 10_000, 0, trader, FAR, ref, {"from": trader}).gas_used
    uni = refs["uniswap"]
    report.add(
        Row(
            "FX pool swap (exact-in)",
            swap,
            "Uniswap V2 Router02 1 hop",
            uni["router_1hop"],
            GOALS["pool_swap"],
            "balanced pool, trader holds both",
        )
    )
    report.add(
        Row(
            "FX router swap, 1 hop",
            one,
            "Uniswap V2 Router02 1 hop",
            uni["router_1hop"],
            GOALS["router_1hop"],
            "JPY→USD",
        )
    )
    report.add(
        Row(
            "FX router JPY→USD→KHR (2 hops)",
            two,
            "Uniswap V2 Router02 2 hops",
            uni["router_2hop"],
            GOALS["router_2hop"],
            "through the USD hub",
        )
    )
    report.scaling["Router gas by hops"] = [
        {"hops": "1 hop", "project": one, "Uniswap V2": uni["router_1hop"]},
        {"hops": "2 hops", "project": two, "Uniswap V2": uni["router_2hop"]},
    ]
    # Newton iterations: swap gas as one-way trades push the pool away from balance
    answer = DEFAULT_CONFIG["pairs"]["JPY"]["feed"]["answer"]
    jpy.approve(pool, 2**256 - 1, {"from": admin})
    imbalance = []
    for push in (0, 10_000_000, 30_000_000, 60_000_000, 90_000_000):
        if push:
            pool.swapExactIn(0, push, 0, admin, FAR, {"from": admin})
        b0, b1 = pool.balances()
        jpy_usd_cents = b0 * answer // 10**6  # JPY (0 decimals) at the feed's USD price, in cents
        share = 100 * jpy_usd_cents // (jpy_usd_cents + b1)
        gas = pool.swapExactIn(0, 10_000, 0, trader, FAR, {"from": trader}).gas_used
        imbalance.append({"JPY share of pool value %": share, "swap gas": gas})
    report.scaling["Pool swap gas vs imbalance (Newton iterations)"] = imbalance


def rfq(report: Report, refs: dict[str, Any], project: Any) -> None:
    from brownie import accounts

    from corridor.dev.gas import measure_rfq

    gas = measure_rfq(project.RfqVenue, project.MockERC20, accounts)
    uni = refs["uniswap"]
    warm = gas["rfq: fill exact-in, nonce word warm (goal <= 90,000)"]
    cold = gas["rfq: first fill of a maker (new nonce word, new fee slot)"]
    cross = gas["rfq: cross quote JPY->KHR exact-in, nonce word warm (goal <= 100,000)"]
    report.add(
        Row(
            "RFQ fill, maker nonce word warm",
            warm,
            "Uniswap V2 Router02 1 hop",
            uni["router_1hop"],
            GOALS["rfq_fill_warm"],
            "exact-in",
        )
    )
    report.add(
        Row(
            "RFQ cross quote JPY→KHR",
            cross,
            "Uniswap V2 Router02 2 hops",
            uni["router_2hop"],
            GOALS["rfq_cross"],
            "one signature, one nonce, one fee",
        )
    )
    report.scaling["RFQ fill: cold vs warm nonce word"] = [
        {"state": "cold (first fill of a maker)", "gas": cold},
        {"state": "warm nonce word", "gas": warm},
    ]


def batch_chart(report: Report, path: Any) -> Any:
    """reports/gas-batch-scaling.png: the batch mint and batch finalization tables as gas per item vs N."""
    from corridor.bench.charts import plot_batch_scaling

    return plot_batch_scaling(
        {
            "mintBatch": (
                report.scaling.get(BATCH_MINT_TABLE, []),
                "gas per deposit",
                "single mint (existing holder)",
            ),
            "finalizeRedemptionBatch": (
                report.scaling.get(BATCH_FINALIZE_TABLE, []),
                "gas per redemption",
                "single finalizeRedemption",
            ),
        },
        path,
        GOALS["bridge_batch_mint_per_deposit_n64"],
    )
