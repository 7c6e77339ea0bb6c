// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {AccessControlDefaultAdminRulesUpgradeable} from
    "@openzeppelin/contracts-upgradeable/access/extensions/AccessControlDefaultAdminRulesUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ICompliantToken} from "../../interfaces/ICompliantToken.sol";
import {PackedStorage} from "./PackedStorage.sol";
import {SignedAuthorizations} from "./SignedAuthorizations.sol";

/// @title CompliantToken
/// @notice Abstract upgradeable (UUPS) permissioned ERC-20 shared by the JPY stablecoin and the bridge tokens.
/// See {ICompliantToken} for the behaviour; children add minting policy on top of the `_mint` / `_burn` hooks.
/// @dev The ERC-20 core is hand-written instead of inheriting OpenZeppelin's ERC20Upgradeable because the gas
/// goal (compliant transfer <= 41,400 gas through the proxy) needs balance, KYC, freeze flag and the daily-limit
/// counter in one word per account ({PackedStorage}) and the pause flag plus all tier limits in one global word.
/// Its behaviour (events, errors, allowance semantics including the infinite allowance) follows OpenZeppelin v5
/// ERC20 and is tested side by side with it (tests/shared/test_differential_oz.py), with one documented
/// deviation: an allowance of 2^232-1 or more is stored as infinite (see {approve}).
/// Unlike OpenZeppelin, `transferFrom` refuses a frozen spender (as USDC and PYUSD do) without reading the
/// spender's account word on the common path: see the freeze epoch in {PackedStorage} and {_spendAllowance}.
/// The packed layouts live in {PackedStorage}; EIP-2612 and EIP-3009 in {SignedAuthorizations}, which calls
/// back into {_approve} and {_transfer}.
abstract contract CompliantToken is
    ICompliantToken,
    Initializable,
    UUPSUpgradeable,
    AccessControlDefaultAdminRulesUpgradeable,
    SignedAuthorizations
{
    using PackedStorage for uint256;
    using SafeERC20 for IERC20;

    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    bytes32 public constant RESCUER_ROLE = keccak256("RESCUER_ROLE");

    /// @notice Tiers 1..LIMITED_TIERS have configurable limits; INSTITUTIONAL_TIER has none.
    uint8 public constant LIMITED_TIERS = 3;
    uint8 public constant INSTITUTIONAL_TIER = 4;

    uint8 private constant _MAX_DECIMALS = 18;

    /// @custom:storage-location erc7201:corridor.storage.CompliantToken
    struct CompliantTokenStorage {
        mapping(address account => uint256) accounts;
        mapping(address owner => mapping(address spender => uint256)) allowances;
        uint256 config;
        uint256 totalSupply;
        string name;
        string symbol;
        mapping(address authorizer => mapping(bytes32 nonce => bool)) authorizations;
    }

    // keccak256(abi.encode(uint256(keccak256("corridor.storage.CompliantToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE_LOCATION = 0x171c15278549b321fc6307279ee79cd767667b111976338c43f58e5f7f45ad00;
    /// @dev Slots of `accounts` (member 0) and `config` (member 2) of CompliantTokenStorage, for the assembly fast
    /// path; test_transfer_paths.py checks them against the slots Solidity computes.
    /// Literals, not expressions: solc evaluates `uint256(_STORAGE_LOCATION) + 2` at run time (a checked addition).
    uint256 private constant _ACCOUNTS_SLOT = 0x171c15278549b321fc6307279ee79cd767667b111976338c43f58e5f7f45ad00;
    uint256 private constant _CONFIG_SLOT = 0x171c15278549b321fc6307279ee79cd767667b111976338c43f58e5f7f45ad02;

    function _storage() private pure returns (CompliantTokenStorage storage $) {
        assembly {
            $.slot := _STORAGE_LOCATION
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    // ---------------------------------------------------------------- initialization

    /// @dev Initializes the token. `limits[t-1]` are the limits of tier t (1..3) in base units.
    function __CompliantToken_init(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        address admin,
        uint48 adminDelay,
        TierLimits[3] memory limits
    ) internal onlyInitializing {
        __AccessControlDefaultAdminRules_init(adminDelay, admin);
        __EIP712_init(name_, "1");
        __Nonces_init();
        __CompliantToken_init_unchained(name_, symbol_, decimals_, limits);
    }

    function __CompliantToken_init_unchained(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        TierLimits[3] memory limits
    ) internal onlyInitializing {
        if (decimals_ > _MAX_DECIMALS) revert InvalidDecimals(decimals_);
        CompliantTokenStorage storage $ = _storage();
        $.name = name_;
        $.symbol = symbol_;
        $.config = PackedStorage.newConfig(decimals_);
        for (uint8 tier = 1; tier <= LIMITED_TIERS; ++tier) {
            _setTierLimits(tier, limits[tier - 1].perTransfer, limits[tier - 1].daily);
        }
    }

    // ---------------------------------------------------------------- ERC-20

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        // The fast path ends the call with `true` when every check passes, so it only returns (false) when a check
        // failed; the reference path then reverts naming that check.
        if (!PackedStorage.tryTransfer(_ACCOUNTS_SLOT, _CONFIG_SLOT, msg.sender, to, value, true)) {
            _transferChecked(msg.sender, to, value);
        }
        _returnTrue();
    }

    /// @notice Moves `value` from `from` to `to` using the allowance `from` gave the caller.
    /// @dev Besides the checks of a transfer (owner and receiver verified and not frozen, limits, pause), the caller
    /// (the spender) must not be frozen: reverts with AccountFrozen(spender). The spender need not be verified
    /// (routers and venues spend without KYC). The frozen check reads the spender's account word only when the
    /// allowance's freeze epoch is stale ({_spendAllowance}). Finite allowances decrease by `value`; an infinite
    /// one (type(uint256).max) does not. No Approval event (OpenZeppelin v5). `transferFrom(owner, owner, value)`
    /// spends the allowance like any transferFrom (as OpenZeppelin and USDC) but, being a self-transfer, not the
    /// owner's limits.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _spendAllowance(from, msg.sender, value);
        _transfer(from, to, value);
        _returnTrue();
    }

    /// @notice Sets the allowance of `spender` over the caller's tokens to `value` and emits Approval(value).
    /// @dev Neither party needs to be verified or unfrozen (an approval moves nothing; `transferFrom` checks
    /// owner, receiver and spender). Any `value` >= 2^232-1 is stored as the infinite allowance, and {allowance}
    /// then returns type(uint256).max: the one deviation from OpenZeppelin, visible only in the view (balances are
    /// capped at 2^112-1, so no sequence of spends can tell the difference).
    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return _account(account).balance();
    }

    /// @notice Remaining allowance of `spender` over `owner`'s tokens; type(uint256).max when infinite (an
    /// approval of 2^232-1 or more, see {approve}).
    function allowance(address owner, address spender) external view returns (uint256) {
        uint256 amount = _storage().allowances[owner][spender].allowanceAmount();
        return amount == PackedStorage.INFINITE_ALLOWANCE ? type(uint256).max : amount;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _storage().totalSupply;
    }

    /// @notice Token name (also the EIP-712 domain name).
    function name() external view returns (string memory) {
        return _storage().name;
    }

    /// @notice Token symbol.
    function symbol() external view returns (string memory) {
        return _storage().symbol;
    }

    /// @notice Decimals of the base unit, fixed at initialization.
    function decimals() public view returns (uint8) {
        return _storage().config.decimals();
    }

    /// @inheritdoc IERC20Permit
    /// @dev SignedAuthorizations' nonces; restated because ICompliantToken reaches IERC20Permit on its own path.
    function nonces(address owner) public view virtual override(IERC20Permit, SignedAuthorizations) returns (uint256) {
        return super.nonces(owner);
    }

    // ---------------------------------------------------------------- payments

    /// @inheritdoc ICompliantToken
    function transferWithReference(address to, uint256 value, bytes32 paymentReference) external returns (bool) {
        _transfer(msg.sender, to, value);
        emit TransferReference(msg.sender, to, value, paymentReference);
        return true;
    }

    /// @inheritdoc ICompliantToken
    function batchTransfer(address[] calldata recipients, uint256[] calldata values) external returns (bool) {
        if (recipients.length != values.length) revert ArrayLengthMismatch(recipients.length, values.length);
        for (uint256 i; i < recipients.length; ++i) {
            _transfer(msg.sender, recipients[i], values[i]);
        }
        return true;
    }

    // ---------------------------------------------------------------- compliance

    /// @inheritdoc ICompliantToken
    function setKyc(address account, uint8 tier, uint16 jurisdiction) external onlyRole(COMPLIANCE_ROLE) {
        if (account == address(0)) revert ZeroAddress();
        if (tier == 0 || tier > INSTITUTIONAL_TIER) revert InvalidTier(tier);
        if (jurisdiction == 0) revert InvalidJurisdiction();
        _setAccount(account, _account(account).withKyc(tier, jurisdiction));
        emit KycSet(account, tier, jurisdiction);
    }

    /// @inheritdoc ICompliantToken
    function revokeKyc(address account) external onlyRole(COMPLIANCE_ROLE) {
        uint256 word = _account(account);
        if (word.tier() == 0) revert AccountNotVerified(account);
        _setAccount(account, word.withKyc(0, 0));
        emit KycRevoked(account);
    }

    /// @inheritdoc ICompliantToken
    /// @dev Also increments the freeze epoch, so that the next `transferFrom` on every allowance re-checks its
    /// spender; reverts with FreezeEpochExhausted after 2^24-1 freezes.
    function freeze(address account) external onlyRole(COMPLIANCE_ROLE) {
        if (account == address(0)) revert ZeroAddress();
        uint256 word = _account(account);
        if (word.frozen()) revert AccountFrozen(account);
        _nextFreezeEpoch();
        _setAccount(account, word.withFrozen(true));
        emit Frozen(account);
    }

    /// @inheritdoc ICompliantToken
    /// @dev Leaves the freeze epoch unchanged: an allowance of the unfrozen account whose epoch is stale is
    /// re-checked (and accepted) by its next `transferFrom`.
    function unfreeze(address account) external onlyRole(COMPLIANCE_ROLE) {
        uint256 word = _account(account);
        if (!word.frozen()) revert AccountNotFrozen(account);
        _setAccount(account, word.withFrozen(false));
        emit Unfrozen(account);
    }

    /// @inheritdoc ICompliantToken
    function seize(address from, address to, uint256 amount, bytes32 reasonCode) external onlyRole(COMPLIANCE_ROLE) {
        if (reasonCode == bytes32(0)) revert InvalidReasonCode();
        if (amount == 0) revert InvalidAmount();
        uint256 fromWord = _account(from);
        if (!fromWord.frozen()) revert AccountNotFrozen(from);
        uint256 fromBalance = fromWord.balance();
        if (fromBalance < amount) revert ERC20InsufficientBalance(from, fromBalance, amount);
        _setAccount(from, fromWord.debit(amount));
        _credit(to, amount);
        emit Transfer(from, to, amount);
        emit Seized(from, to, amount, reasonCode);
    }

    /// @inheritdoc ICompliantToken
    /// @dev Freezing `lost` retires its key as a spender too: when `lost` was not frozen yet, the freeze epoch is
    /// incremented as by {freeze} (FreezeEpochExhausted after 2^24-1 freezes), so every allowance given to `lost`
    /// is re-checked and refused by `transferFrom`. An already frozen `lost` has no allowance with a current
    /// epoch, so its recovery leaves the epoch unchanged.
    function recover(address lost, address recovered, bytes32 reasonCode) external onlyRole(COMPLIANCE_ROLE) {
        if (reasonCode == bytes32(0)) revert InvalidReasonCode();
        if (lost == address(0)) revert ZeroAddress();
        if (lost == recovered) revert SameAccount(lost);
        uint256 lostWord = _account(lost);
        if (!lostWord.frozen()) _nextFreezeEpoch();
        uint256 amount = lostWord.balance();
        _setAccount(lost, lostWord.withBalance(0).withKyc(0, 0).withFrozen(true));
        _credit(recovered, amount);
        emit Transfer(lost, recovered, amount);
        emit AccountRecovered(lost, recovered, amount, reasonCode);
    }

    /// @inheritdoc ICompliantToken
    function setTierLimits(uint8 tier, uint256 perTransfer, uint256 daily) external onlyRole(COMPLIANCE_ROLE) {
        _setTierLimits(tier, perTransfer, daily);
    }

    /// @inheritdoc ICompliantToken
    function pause() external onlyRole(PAUSER_ROLE) {
        CompliantTokenStorage storage $ = _storage();
        if ($.config & PackedStorage.PAUSED_BIT != 0) revert EnforcedPause();
        $.config |= PackedStorage.PAUSED_BIT;
        emit Paused(msg.sender);
    }

    /// @inheritdoc ICompliantToken
    function unpause() external onlyRole(PAUSER_ROLE) {
        CompliantTokenStorage storage $ = _storage();
        if ($.config & PackedStorage.PAUSED_BIT == 0) revert ExpectedPause();
        $.config &= ~PackedStorage.PAUSED_BIT;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc ICompliantToken
    function rescueERC20(address token, address to, uint256 amount) external onlyRole(RESCUER_ROLE) {
        if (token == address(0) || to == address(0)) revert ZeroAddress();
        if (amount == 0) revert InvalidAmount();
        IERC20(token).safeTransfer(to, amount);
        emit TokensRescued(token, to, amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICompliantToken
    function kycOf(address account) external view returns (uint8 tier, uint16 jurisdiction, bool frozen) {
        uint256 word = _account(account);
        return (uint8(word.tier()), uint16(word.jurisdiction()), word.frozen());
    }

    /// @inheritdoc ICompliantToken
    function spentToday(address account) external view returns (uint256) {
        return _account(account).spentOn(block.timestamp / 1 days);
    }

    /// @inheritdoc ICompliantToken
    function tierLimits(uint8 tier) external view returns (TierLimits memory limits) {
        if (tier == 0 || tier > INSTITUTIONAL_TIER) revert InvalidTier(tier);
        if (tier == INSTITUTIONAL_TIER) return TierLimits(type(uint256).max, type(uint256).max);
        uint256 config = _storage().config;
        (uint256 perTransfer, uint256 daily) = config.limitsOf(tier);
        limits.perTransfer = _unpackLimit(perTransfer, config.scale());
        limits.daily = _unpackLimit(daily, config.scale());
    }

    /// @inheritdoc ICompliantToken
    function supplyCap() external pure returns (uint256) {
        return PackedStorage.MAX_BALANCE;
    }

    /// @inheritdoc ICompliantToken
    function paused() external view returns (bool) {
        return _storage().config & PackedStorage.PAUSED_BIT != 0;
    }

    // ---------------------------------------------------------------- internal hooks for children

    /// @dev Creates `value` tokens for `to`: not paused, `to` verified and not frozen, supply within the cap.
    /// Limits do not apply (they bound what a holder sends, not what an issuer creates).
    function _mint(address to, uint256 value) internal {
        CompliantTokenStorage storage $ = _storage();
        if ($.config & PackedStorage.PAUSED_BIT != 0) revert EnforcedPause();
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 supply = $.totalSupply + value;
        if (supply > PackedStorage.MAX_BALANCE) {
            revert SupplyCapExceeded($.totalSupply, value, PackedStorage.MAX_BALANCE);
        }
        $.totalSupply = supply;
        _credit(to, value);
        emit Transfer(address(0), to, value);
    }

    /// @dev Destroys `value` tokens of `from`: not paused, `from` verified and not frozen (frozen funds only move
    /// by seizure). Limits do not apply (redemption is not a payment).
    function _burn(address from, uint256 value) internal {
        CompliantTokenStorage storage $ = _storage();
        if ($.config & PackedStorage.PAUSED_BIT != 0) revert EnforcedPause();
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        uint256 word = _account(from);
        _requireActive(from, word);
        uint256 fromBalance = word.balance();
        if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
        _setAccount(from, word.debit(value));
        // value <= balance <= totalSupply
        unchecked {
            $.totalSupply -= value;
        }
        emit Transfer(from, address(0), value);
    }

    /// @dev Spends `value` of the allowance `owner` gave `spender`, refusing a frozen spender (AccountFrozen).
    /// OpenZeppelin semantics otherwise: the infinite allowance is not decremented, no Approval event when
    /// spending, ERC20InsufficientAllowance(spender, current, value).
    /// The spender's account word is read only when the allowance's spender epoch differs from the current freeze
    /// epoch (some freeze happened since the spender was last seen not frozen, or the approval was given while it
    /// was frozen); the epoch is then refreshed. The config word read here is the one the transfer reads next, so
    /// the common path (no freeze since the approval or the last spend) adds a warm SLOAD, not a cold one.
    function _spendAllowance(address owner, address spender, uint256 value) internal {
        CompliantTokenStorage storage $ = _storage();
        uint256 epoch = $.config.freezeEpoch();
        mapping(address => uint256) storage allowances = $.allowances[owner];
        uint256 word = allowances[spender];
        bool stale = word.spenderEpoch() != epoch;
        if (stale && _account(spender).frozen()) revert AccountFrozen(spender);
        uint256 current = word.allowanceAmount();
        if (current != PackedStorage.INFINITE_ALLOWANCE) {
            if (current < value) revert ERC20InsufficientAllowance(spender, current, value);
            // current >= value; the write refreshes a stale epoch for free
            unchecked {
                allowances[spender] = PackedStorage.newAllowance(current - value, epoch);
            }
        } else if (stale) {
            allowances[spender] = PackedStorage.newAllowance(PackedStorage.INFINITE_ALLOWANCE, epoch);
        }
    }

    /// @dev Stores the allowance (values >= INFINITE_ALLOWANCE as infinite) with the spender epoch: the current
    /// freeze epoch when `spender` is not frozen, otherwise the epoch before it. That earlier epoch can never be
    /// current again (the epoch only grows and never wraps), so the first `transferFrom` re-checks the spender.
    /// A frozen account exists only after a freeze, which incremented the epoch, so `epoch - 1` does not underflow
    /// (the mask keeps the field 24 bits wide regardless). Emits Approval with `value` as given (OpenZeppelin).
    function _approve(address owner, address spender, uint256 value) internal override {
        if (owner == address(0)) revert ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        CompliantTokenStorage storage $ = _storage();
        uint256 epoch = $.config.freezeEpoch();
        if (_account(spender).frozen()) {
            unchecked {
                epoch = (epoch - 1) & PackedStorage.MAX_FREEZE_EPOCH;
            }
        }
        uint256 amount = value < PackedStorage.INFINITE_ALLOWANCE ? value : PackedStorage.INFINITE_ALLOWANCE;
        $.allowances[owner][spender] = PackedStorage.newAllowance(amount, epoch);
        emit Approval(owner, spender, value);
    }

    /// @dev Increments the freeze epoch (every allowance's next `transferFrom` then re-checks its spender).
    /// At MAX_FREEZE_EPOCH it reverts with FreezeEpochExhausted instead of wrapping: a wrapped epoch could equal
    /// the epoch stored with an allowance of a spender frozen since, and that spender could spend again.
    function _nextFreezeEpoch() private {
        CompliantTokenStorage storage $ = _storage();
        uint256 config = $.config;
        uint256 epoch = config.freezeEpoch();
        if (epoch == PackedStorage.MAX_FREEZE_EPOCH) revert FreezeEpochExhausted();
        $.config = config.withFreezeEpoch(epoch + 1);
    }

    /// @dev True when `account` is verified and not frozen.
    function _isActive(address account) internal view returns (bool) {
        uint256 word = _account(account);
        return word.tier() != 0 && !word.frozen();
    }

    // ---------------------------------------------------------------- the transfer path

    /// @dev The one place where holders' balances move between accounts (mint/burn/seize/recover aside).
    /// Reads the config word (pause + limits) and the two account words, writes the two account words.
    /// The assembly fast path {PackedStorage-tryTransfer} handles every transfer that passes all checks; anything
    /// else goes to {_transferChecked}, the readable reference that reverts with the failed check's error.
    function _transfer(address from, address to, uint256 value) internal override {
        if (!PackedStorage.tryTransfer(_ACCOUNTS_SLOT, _CONFIG_SLOT, from, to, value, false)) {
            _transferChecked(from, to, value);
        }
    }

    /// @dev The specification of a transfer, check by check: {PackedStorage-tryTransfer} mirrors it (same
    /// acceptance, same state, same events) and hands over every transfer it does not complete. A new transfer
    /// rule is written here first (docs/stablecoin.md, "Adding a transfer rule").
    function _transferChecked(address from, address to, uint256 value) internal {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 config = _storage().config;
        if (config.paused()) revert EnforcedPause();

        uint256 fromWord = _account(from);
        uint256 tier = fromWord.tier();
        if (tier == 0) revert AccountNotVerified(from);
        if (fromWord.frozen()) revert AccountFrozen(from);
        uint256 fromBalance = fromWord.balance();
        if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
        // A self-transfer moves no value: limits bound what leaves an account, so they neither apply to it nor count
        // it (else three ¥1,000,000 self-transfers, or a spender's transferFrom(owner, owner, x), would use up
        // the owner's day). Same rule as the fast path.
        if (tier != INSTITUTIONAL_TIER && from != to) fromWord = _applyLimits(from, fromWord, tier, config, value);
        _setAccount(from, fromWord.debit(value));

        _credit(to, value);
        emit Transfer(from, to, value);
    }

    /// @dev Ends the call returning ABI-encoded `true`, skipping Solidity's epilogue (stack unwinding and return
    /// encoding, ~70 gas) for the transfer gas goal. Only for the last statement of an external function.
    function _returnTrue() private pure {
        assembly ("memory-safe") {
            mstore(0x00, 1)
            return(0x00, 0x20)
        }
    }

    /// @dev Checks the sender's tier limits and returns its word with today's spent counter updated.
    function _applyLimits(address from, uint256 word, uint256 tier, uint256 config, uint256 value)
        private
        view
        returns (uint256)
    {
        (uint256 perTransfer, uint256 daily) = config.limitsOf(tier);
        uint256 unit = config.scale();
        if (perTransfer != PackedStorage.UNLIMITED && value > perTransfer * unit) {
            revert TransferLimitExceeded(from, value, perTransfer * unit);
        }
        if (daily != PackedStorage.UNLIMITED) {
            uint256 today = block.timestamp / 1 days;
            uint256 spent = word.spentOn(today);
            uint256 total = spent + value;
            if (total > daily * unit) revert DailyLimitExceeded(from, spent, value, daily * unit);
            word = word.withSpent(total, today); // total <= daily * unit < 2^88 (checked when the limit was set)
        }
        return word;
    }

    /// @dev Adds `value` to a verified, unfrozen `to`.
    function _credit(address to, uint256 value) private {
        uint256 toWord = _account(to);
        _requireActive(to, toWord);
        _setAccount(to, toWord.credit(value));
    }

    function _requireActive(address account, uint256 word) private pure {
        if (word.tier() == 0) revert AccountNotVerified(account);
        if (word.frozen()) revert AccountFrozen(account);
    }

    function _setTierLimits(uint8 tier, uint256 perTransfer, uint256 daily) private {
        if (tier == 0 || tier > LIMITED_TIERS) revert InvalidTier(tier);
        CompliantTokenStorage storage $ = _storage();
        uint256 config = $.config;
        uint256 unit = config.scale();
        $.config = config.withLimits(
            tier,
            _packLimit(tier, perTransfer, unit, type(uint256).max),
            _packLimit(tier, daily, unit, PackedStorage.MAX_SPENT)
        );
        emit TierLimitsSet(tier, perTransfer, daily);
    }

    /// @dev A limit is max (unlimited) or a non-zero whole number of tokens below UNLIMITED and `ceiling`.
    function _packLimit(uint8 tier, uint256 limit, uint256 unit, uint256 ceiling) private pure returns (uint256) {
        if (limit == type(uint256).max) return PackedStorage.UNLIMITED;
        if (limit == 0 || limit % unit != 0 || limit / unit >= PackedStorage.UNLIMITED || limit > ceiling) {
            revert InvalidLimit(tier, limit);
        }
        return limit / unit;
    }

    function _unpackLimit(uint256 whole, uint256 unit) private pure returns (uint256) {
        return whole == PackedStorage.UNLIMITED ? type(uint256).max : whole * unit;
    }

    // ---------------------------------------------------------------- packed account accessors

    /// @dev The only read of an account word (layout in {PackedStorage}).
    function _account(address account) internal view returns (uint256) {
        return _storage().accounts[account];
    }

    /// @dev The only write of an account word.
    function _setAccount(address account, uint256 word) private {
        _storage().accounts[account] = word;
    }

    /// @inheritdoc SignedAuthorizations
    function _authorizations()
        internal
        view
        override
        returns (mapping(address authorizer => mapping(bytes32 nonce => bool)) storage)
    {
        return _storage().authorizations;
    }

    // ---------------------------------------------------------------- upgrades

    /// @dev Only UPGRADER_ROLE may upgrade (UUPS).
    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}
}
