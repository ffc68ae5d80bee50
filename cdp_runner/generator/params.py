"""Parameters of the generator's data-generating processes.

They are constants of the generator (the CLI only chooses scale, seed and end date) and are
written to `_truth/generator_params.json` so that models can be checked against the truth.
Rates are per day unless the name says otherwise; shares are probabilities.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class PurchaseProcess:
    """BG/NBD (Fader, Hardie & Lee 2005), time unit one day.

    Each buyer makes a first purchase at acquisition. While active, repeat purchases follow a
    Poisson process with rate lambda ~ Gamma(shape=r, rate=alpha); after each repeat purchase the
    buyer becomes inactive for good with probability p ~ Beta(a, b).
    """

    r: float = 0.8
    alpha: float = 60.0
    a: float = 0.8
    b: float = 3.0


@dataclass(frozen=True)
class SpendProcess:
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005 notation), in GBP.

    Each purchase's value z ~ Gamma(shape=p, rate=nu) with a per-buyer nu ~ Gamma(shape=q,
    rate=gamma), so a buyer's true mean spend is p / nu and E[z] = p * gamma / (q - 1).
    The value is the sum of the order's lines at their unit prices (before discounts,
    shipping and refunds); lines are real catalogue products chosen to add up to it.
    """

    p: float = 6.0
    q: float = 4.0
    gamma: float = 30.0


@dataclass(frozen=True)
class Population:
    history_days: int = 1095  # acquisitions spread over this many days up to end_date
    acquisition_skew: float = 0.75  # acquisition day = history_days * U ** skew: a growing business
    segment_shares: dict = field(default_factory=lambda: {"buyer": 0.70, "browser": 0.18, "contact_only": 0.12})
    household_size_shares: tuple = (0.45, 0.33, 0.12, 0.10)  # 1, 2, 3, 4 people
    household_surname_share: float = 0.8
    twin_share: float = 0.02  # second members of a household born the same day as the first, with its surname
    bots_per_customer: float = 1 / 400
    online_only_share: float = 0.35  # of buyers; the rest of the preference is below
    store_only_share: float = 0.15
    mixed_channel_beta: tuple = (2.0, 2.0)  # online share of mixed-channel buyers ~ Beta
    second_email_share: float = 0.10
    mobile_share: float = 0.92
    phone_change_share: float = 0.07
    landline_household_share: float = 0.30
    shared_tablet_household_share: float = 0.35  # of households of two or more
    email_engagement_beta: tuple = (1.5, 4.0)  # per-person open propensity


@dataclass(frozen=True)
class Accounts:
    account_share: dict = field(
        default_factory=lambda: {"online_buyer": 0.80, "store_only_buyer": 0.15, "browser": 0.35, "contact_only": 0.0}
    )
    signup_at_checkout_share: float = 0.55  # the rest sign up a while before their first order
    signup_lead_days_mean: float = 15.0
    guest_checkout_share: float = 0.08  # account holders who still check out as guests
    second_account_share: float = 0.30  # of account holders with a second e-mail
    loyalty_share: dict = field(default_factory=lambda: {"store_buyer": 0.55, "online_only_buyer": 0.08, "other": 0.04})
    loyalty_card_replacement_share: float = 0.04
    loyalty_card_presented_share: float = 0.75
    crm_share_store_buyers_without_account: float = 0.20
    crm_duplicate_share: float = 0.04
    # CRM accounts opened at a till, over the phone or imported from an older system: no e-mail, phone or login,
    # only the person's details (a duplicate more often than a first account)
    crm_contactless_share: dict = field(default_factory=lambda: {"first": 0.10, "duplicate": 0.45})
    crm_moved_share: float = 0.30  # of duplicates: registered at a later address
    crm_birth_date_slips: dict = field(default_factory=lambda: {"day_month_swapped": 0.03, "day_off_by_one": 0.02})
    crm_postcode_typo_share: float = 0.02
    email_opt_in_share: float = 0.60
    sms_opt_in_share: float = 0.25
    app_share: float = 0.30  # of account holders
    app_reinstall_share: float = 0.25
    shared_tablet_use_share: float = 0.35  # of account holders in a household with a shared tablet
    push_permission_share: float = 0.70


@dataclass(frozen=True)
class Activity:
    web_sessions_base_rate: float = 0.0015  # browse sessions per day for an active buyer, plus:
    web_sessions_per_purchase: float = 0.4  # extra browse sessions per expected purchase
    browser_sessions_rate_mean: float = 0.01  # Gamma(2, .) mean for people who never buy
    interest_after_dropout_days: float = 90.0  # browsing fades out this long (mean) after dropout
    browse_events_geometric_p: float = 0.45  # events per session: 1 + Geometric
    cookie_lifetime_days: float = 180.0  # cookies are cleared / devices replaced this often
    pre_signup_sessions_mean: float = 1.2
    voluntary_login_share: float = 0.20
    utm_share: float = 0.35
    store_research_session_share: float = 0.15
    app_sessions_rate_factor: float = 0.8  # app sessions per day relative to web browsing
    app_order_share: float = 0.35  # of online orders of app users placed in the app
    cancelled_order_share: float = 0.03  # extra order attempts cancelled before the real one
    order_status_shares: dict = field(
        default_factory=lambda: {"completed": 0.88, "returned": 0.04, "partially_refunded": 0.05, "refunded": 0.03}
    )
    store_return_share: float = 0.06
    guest_phone_share: float = 0.7
    receipt_email_share: float = 0.20
    qr_journey_share: float = 0.04  # of store purchases preceded by an online QR scan
    qr_browse_scan_share: float = 0.03  # of people with web activity who scan a code and never rescan
    email_sends_rate: float = 0.02  # marketing e-mails per day per subscriber
    sms_sends_rate: float = 0.006
    push_sends_rate: float = 0.02
    ticket_share_per_purchase: float = 0.04
    ticket_share_per_return: float = 0.25
    ticket_share_non_buyer: float = 0.02
    chat_share_per_session: float = 0.01
    bot_visits_mean: float = 4.0
    bot_pages_per_visit: tuple = (20, 150)


@dataclass(frozen=True)
class Messiness:
    email_spellings: dict = field(
        default_factory=lambda: {
            "title": 0.06,
            "upper": 0.02,
            "whitespace": 0.04,
            "gmail_dots": 0.08,
            "gmail_tag": 0.04,
            "googlemail": 0.03,
        }
    )
    uk_phone_style_weights: dict = field(
        default_factory=lambda: {
            "national_spaced": 30,
            "international_spaced": 15,
            "double_zero_dashed": 5,
            "bracket_zero": 4,
            "national": 25,
            "e164": 15,
            "international_bracket_zero": 3,
            "no_trunk": 3,
        }
    )
    foreign_phone_style_weights: dict = field(
        default_factory=lambda: {"e164": 40, "international_spaced": 30, "double_zero": 15, "national": 15}
    )
    junk_email_share: float = 0.012  # typed e-mail fields (orders, tills, tickets, chats, CRM)
    junk_phone_share: float = 0.015
    name_typo_share: float = 0.02
    duplicate_delivery_share: dict = field(default_factory=lambda: {"events": 0.008, "orders": 0.004, "other": 0.001})
    malformed_share: float = 0.003  # of the rows of each person source
    late_web_event_share: float = 0.015  # web events delivered in web_events_late.jsonl
    late_also_on_time_share: float = 0.1  # of late events, also in the main file (re-delivery)


@dataclass(frozen=True)
class GeneratorParams:
    purchase: PurchaseProcess = field(default_factory=PurchaseProcess)
    spend: SpendProcess = field(default_factory=SpendProcess)
    population: Population = field(default_factory=Population)
    accounts: Accounts = field(default_factory=Accounts)
    activity: Activity = field(default_factory=Activity)
    messiness: Messiness = field(default_factory=Messiness)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DailyActivity:
    """What changes for people of the history in days written after it (`cdp generate --continue-from`).

    Their purchases carry on (BG/NBD is memoryless: active buyers keep their rate and dropout probability), and
    people join at the rate the history's acquisitions reached at its end (Population.acquisition_skew). Kept out of
    GeneratorParams so that the history's generator_params.json stays as it was; written with the days'."""

    signup_at_checkout_share: float = 0.05  # of people without a shop account who order online that day
    loyalty_join_share: float = 0.05  # of people without a card who buy in a store that day

    def as_dict(self) -> dict:
        return asdict(self)
