"""Source contracts: the one definition of every source the platform loads.

Everything else about a source follows from its entry here. The loader checks delivered files against it and
creates the raw tables from it; the generator writes files in its shapes; an erasure finds a person's raw rows
by the identifier columns it names. `python -m cdp_runner.ingest.contract_files --write` (`make contracts`) writes
from it each system's `models/staging/<system>/_<system>__sources.yml`, each source's base model
`models/staging/<system>/base/base_<system>__<entity>.sql` (every raw row typed and checked, with its rejection
reason and delivery rank) and their documentation `base/_<system>__base.yml`, the staged-source registry
`cdp_staged_sources()` (macros/staging/cdp_staged_sources.sql: staging model names, keys and the identity markers
each staging model fills) and docs/sources.md; a test fails when one of them differs from what it would write.

Adding a source touches three files: its entry here (then `make contracts`), its staging model
`models/staging/<system>/stg_<system>__<entity>.sql` (the newest valid delivery from the base model, normalised,
with its identity markers) and that model's entry in `models/staging/<system>/_<system>__models.yml`. Quarantine,
reconciliation, identity and erasure pick the source up from the registry.

Types are *logical* types of the delivered text (TYPES): raw tables store every value as text, exactly as
delivered, and staging parses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ContractType:
    name: str
    label: str  # how a column's description in the sources' yml names it
    accepted: str  # the text staging accepts (docs/sources.md)


TYPES = {
    contract_type.name: contract_type
    for contract_type in (
        ContractType("string", "text", "anything; surrounding white space is trimmed in staging."),
        ContractType(
            "timestamp",
            "ISO 8601 timestamp",
            "ISO 8601 with an offset (`2025-03-04T10:22:33+02:00`, `2025-03-04 08:22:33Z`); text without an offset "
            "is taken as UTC; a date alone means midnight UTC; Parquet timestamps are accepted as they are.",
        ),
        ContractType("date", "YYYY-MM-DD date", "`YYYY-MM-DD`."),
        ContractType("decimal", "decimal number", "`12.50`, `-3` (no thousands separators, `.` as decimal point)."),
        ContractType("integer", "whole number", "digits with an optional sign."),
        ContractType("boolean", "boolean", "`true/false`, `1/0`, `yes/no`, `y/n`, `t/f` (any case)."),
    )
}

# File extension -> format; the notes say what each format must look like (docs/sources.md).
FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}
FORMAT_NOTES = {
    "csv": 'comma-separated, header row, `"` quotes, UTF-8',
    "jsonl": "one JSON object per line",
    "parquet": "",
}

# The identity marker types, in the order of the staging models' marker columns (cdp_identity_marker_types() in
# macros/staging/cdp_identity_markers.sql lists the same for SQL). A column that carries one says so
# (Column.identifier).
IDENTIFIER_TYPES = (
    "email",
    "phone",
    "user_id",
    "anonymous_id",
    "device_id",
    "loyalty_card",
    "ip_address",
    "push_token",
    "qr_code",
    "pos_transaction",
    "crm_account",
)
# Identity reads IP addresses as markers but never gives them to a customer (households and offices share them), so
# they are not a person's: an erasure leaves them alone.
SHARED_IDENTIFIER_TYPES = frozenset({"ip_address"})
# The identifiers the staging model normalises (cdp_normalize_email, _phone, _ip_address): the base model keeps their
# delivered text, as `<column>_delivered`.
DELIVERED_IDENTIFIER_TYPES = frozenset({"email", "phone", "ip_address"})
PHONE_FORMAT = (
    "any national or international format; numbers without an international prefix get the calling code of the "
    "row's country column where the contract names one, else of `vars.cdp_default_country` (default `GB`)."
)


@dataclass(frozen=True)
class LoadColumn:
    """A column the loader adds to every raw table, after the contract's columns."""

    name: str
    type: str
    description: str
    pii: bool = False
    not_null: bool = False


LOAD_COLUMNS = (
    LoadColumn("_load_id", "varchar", "The load (see cdp_meta.load_ledger) that delivered the row.", not_null=True),
    LoadColumn(
        "_row_number", "bigint", "1-based position of the record among the data records of its file.", not_null=True
    ),
    LoadColumn("_loaded_at", "timestamp", "When the load committed (UTC)."),
    LoadColumn("_file_name", "varchar", "Name of the delivered file."),
    LoadColumn(
        "_parse_error",
        "varchar",
        "Why the loader could not split the record into columns (wrong column count, malformed JSON); "
        "null for records that were split normally.",
    ),
    LoadColumn(
        "_raw_record", "varchar", "The record's original text when it could not be split; null otherwise.", pii=True
    ),
)


@dataclass(frozen=True)
class System:
    """A system sources come from: one folder of staging models, one `_<system>__sources.yml`."""

    name: str
    description: str


SYSTEMS = (
    System("web", "Website tracking (tag manager export)."),
    System("app", "Mobile app analytics export."),
    System("shop", "E-commerce platform: orders and order lines."),
    System("pos", "In-store tills: receipts, receipt lines and the store list."),
    System("crm", "CRM customer accounts."),
    System("loyalty", "Loyalty programme members."),
    System("marketing", "E-mail service provider events and SMS / push sends."),
    System("support", "Help desk tickets and website live chats."),
    System("qr", "QR code scans online and in store."),
    System("catalog", "Product catalogue."),
)


# What a base model checks, in the order one column's checks run: a value delivered but not parseable as its type, a
# required value missing, a text value not among the accepted ones or not a currency code, a number out of bounds, a
# line whose header was not staged.
CHECKS = ("unparsed", "missing", "accepted", "currency_code", "bounds", "header")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    pii: bool = False
    # The identity marker type the value is: staging fills marker_<identifier> from it (person-bearing sources), and
    # an erasure matches the person's identifiers in it.
    identifier: str | None = None
    # Phones: the row's country column, whose calling code a number without an international prefix takes.
    country_column: str | None = None
    # Line tables: the source whose record key the value is (an erased record takes its lines with it).
    parent: str | None = None
    # How staging's base model types and checks the value (base_models.py writes every base model from these).
    # The base model's name for the column when it is not the contract's (`country` -> `country_code`).
    staged_as: str | None = None
    # "lower" or "upper": the case the text is folded to before it is checked and kept.
    case: str | None = None
    # Tabs and line breaks trimmed as well as spaces (e-mails typed into forms).
    trim_whitespace: bool = False
    # Decimals: (precision, scale) when not the project's default.
    scale: tuple[int, int] | None = None
    # The values staging accepts, whether the text is an ISO 4217 currency code (three letters, upper-cased), and for
    # numbers the smallest and largest value staging accepts (None: no upper bound). A value that fails rejects the
    # record when the column is required, and is nulled when it is optional (nulled_when_invalid).
    accepted: tuple[str, ...] = ()
    currency_code: bool = False
    bounds: tuple[int, int | None] | None = None
    # Line tables: the source whose staged records the value must name (a line whose header was not staged is
    # rejected); a parent is one without saying so.
    header: str | None = None

    @property
    def staged_name(self) -> str:
        """The column's name in the base model: the identifiers staging normalises keep their delivered text."""
        if self.staged_as:
            return self.staged_as
        return f"{self.name}_delivered" if self.identifier in DELIVERED_IDENTIFIER_TYPES else self.name

    @property
    def header_source(self) -> str | None:
        return self.header or self.parent

    @property
    def checked(self) -> bool:
        """A text column whose values staging checks further (a list of accepted values, a currency code). Every
        column of another type is checked against its type."""
        return bool(self.accepted or self.currency_code)

    @property
    def nulled_when_invalid(self) -> bool:
        """An optional column staging checks: a bad value is nulled, not a reason to drop the record."""
        return not self.required and (self.type != "string" or self.checked)

    @property
    def checks(self) -> list[str]:
        """The base model's checks of the column that reject a record (CHECKS), in the order they run."""
        rejects = not self.nulled_when_invalid
        applies = {
            "unparsed": rejects and self.type != "string",
            "missing": self.required,
            "accepted": rejects and bool(self.accepted),
            "currency_code": rejects and self.currency_code,
            "bounds": rejects and bool(self.bounds),
            "header": bool(self.header_source),
        }
        return [check for check in CHECKS if applies[check]]


@dataclass(frozen=True)
class Source:
    name: str
    system: str
    description: str
    key: str
    default_format: str
    # The identity marker types its staging model fills, for a source whose records are about a person: the
    # identifier types of its columns, in the order the staged-source registry lists them (the identity stage's
    # fingerprint hashes that list, so a new order makes the next identity build a full one).
    markers: tuple[str, ...] = ()
    columns: tuple[Column, ...] = field(default_factory=tuple)
    # The order of the base model's checks (the first that fails is the record's rejection reason), as
    # "<check> <column>", when it is not the usual one: every required column's presence and parsing first, then
    # the values (see base_models.checks).
    check_order: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    @property
    def default_file(self) -> str:
        return f"{self.name}.{self.default_format}"

    @property
    def entity(self) -> str:
        """What a record is, in the staging models' names: the source's name without its system's prefix."""
        return self.name.removeprefix(f"{self.system}_")

    @property
    def base_model(self) -> str:
        return f"base_{self.system}__{self.entity}"

    @property
    def staged_model(self) -> str:
        return f"stg_{self.system}__{self.entity}"

    @property
    def checks(self) -> list[str]:
        """The base model's checks, "<check> <column>", in the order they run (the first that fails is the reason).

        Usually every required column's parsing and presence first, then its value (accepted values, currency code,
        bounds), then the header, each part column by column; check_order says otherwise.
        """
        return list(self.check_order) or self.usual_checks

    @property
    def usual_checks(self) -> list[str]:
        named = [f"{check} {column.name}" for column in self.columns for check in column.checks]
        presence = [name for name in named if name.split()[0] in ("unparsed", "missing") and self._required(name)]
        headers = [name for name in named if name.startswith("header ")]
        return presence + [name for name in named if name not in presence + headers] + headers

    def _required(self, check: str) -> bool:
        return next(column.required for column in self.columns if column.name == check.split()[1])

    @property
    def has_person(self) -> bool:
        """Whether its records are about a person (the identity stage reads their markers)."""
        return bool(self.markers)


def _c(name: str, type_: str, description: str, **options) -> Column:
    return Column(name, type_, description, **options)


SOURCES: tuple[Source, ...] = (
    Source(
        name="web_events",
        system="web",
        description="Website tracking events (one JSON object per line), as exported by the tag manager.",
        key="event_id",
        default_format="jsonl",
        markers=("anonymous_id", "user_id", "email", "ip_address"),
        columns=(
            _c("event_id", "string", "Unique id of the event; re-deliveries repeat it.", required=True),
            _c(
                "event_type",
                "string",
                "page_view, product_view, add_to_cart, checkout, signup or login.",
                required=True,
                case="lower",
                accepted=("page_view", "product_view", "add_to_cart", "checkout", "signup", "login"),
            ),
            _c(
                "occurred_at",
                "timestamp",
                "When the event happened, with the visitor's time-zone offset.",
                required=True,
            ),
            _c("anonymous_id", "string", "First-party cookie id of the browser.", pii=True, identifier="anonymous_id"),
            _c(
                "user_id",
                "string",
                "Shop account id once the visitor has logged in or signed up.",
                pii=True,
                identifier="user_id",
            ),
            _c(
                "email",
                "string",
                "E-mail typed into the sign-up or login form.",
                pii=True,
                identifier="email",
                trim_whitespace=True,
            ),
            _c("session_id", "string", "Tracking session id."),
            _c("page_url", "string", "URL of the page."),
            _c("product_sku", "string", "Product of a product_view or add_to_cart event."),
            _c("device_type", "string", "desktop, mobile or tablet.", case="lower"),
            _c("ip_address", "string", "Visitor's IP address.", pii=True, identifier="ip_address"),
            _c("user_agent", "string", "Browser user agent string.", pii=True),
            _c("utm_source", "string", "Campaign source.", case="lower"),
            _c("utm_medium", "string", "Campaign medium.", case="lower"),
            _c("utm_campaign", "string", "Campaign name."),
        ),
    ),
    Source(
        name="app_events",
        system="app",
        description="Mobile app analytics events (Parquet).",
        key="event_id",
        default_format="parquet",
        markers=("device_id", "user_id", "push_token", "ip_address"),
        columns=(
            _c("event_id", "string", "Unique id of the event; re-deliveries repeat it.", required=True),
            _c(
                "event_type",
                "string",
                "app_open, screen_view, product_view, add_to_cart, login or push_open.",
                required=True,
                case="lower",
                accepted=("app_open", "screen_view", "product_view", "add_to_cart", "login", "push_open"),
            ),
            _c("occurred_at", "timestamp", "When the event happened.", required=True),
            _c(
                "device_id",
                "string",
                "Advertising-independent install id of the device.",
                required=True,
                pii=True,
                identifier="device_id",
            ),
            _c(
                "app_user_id",
                "string",
                "Shop account id once logged in (same id space as web user_id).",
                pii=True,
                identifier="user_id",
            ),
            _c("push_token", "string", "Push notification token of the install.", pii=True, identifier="push_token"),
            _c("platform", "string", "ios or android.", case="lower"),
            _c("app_version", "string", "Version of the app."),
            _c("product_sku", "string", "Product of a product_view or add_to_cart event."),
            _c("ip_address", "string", "Device's IP address.", pii=True, identifier="ip_address"),
        ),
    ),
    Source(
        name="shop_orders",
        system="shop",
        description="E-commerce order headers, one row per order.",
        key="order_id",
        default_format="csv",
        markers=("email", "phone", "user_id"),
        columns=(
            _c("order_id", "string", "Order number.", required=True),
            _c(
                "user_id",
                "string",
                "Shop account id of the buyer; empty for guest checkouts.",
                pii=True,
                identifier="user_id",
            ),
            _c("email", "string", "Buyer's e-mail.", pii=True, identifier="email", trim_whitespace=True),
            _c(
                "phone",
                "string",
                "Buyer's phone, in any format.",
                pii=True,
                identifier="phone",
                country_column="shipping_country",
            ),
            _c("ordered_at", "timestamp", "When the order was placed.", required=True),
            _c(
                "status",
                "string",
                "completed, cancelled, refunded, partially_refunded or returned.",
                required=True,
                case="lower",
                accepted=("completed", "cancelled", "refunded", "partially_refunded", "returned"),
            ),
            _c("currency", "string", "ISO 4217 currency code.", required=True, currency_code=True),
            _c("subtotal_amount", "decimal", "Sum of the lines before order-level discount."),
            _c("discount_amount", "decimal", "Order-level discount."),
            _c("shipping_amount", "decimal", "Shipping charged."),
            _c("total_amount", "decimal", "Amount charged.", required=True),
            _c("refunded_amount", "decimal", "Amount refunded so far."),
            _c("shipping_postcode", "string", "Delivery postcode.", pii=True, case="upper"),
            _c("shipping_city", "string", "Delivery city.", pii=True),
            _c(
                "shipping_country",
                "string",
                "Delivery country (ISO 3166 alpha-2).",
                case="upper",
                staged_as="shipping_country_code",
            ),
        ),
        check_order=(
            "missing order_id",
            "unparsed ordered_at",
            "missing ordered_at",
            "missing status",
            "accepted status",
            "missing currency",
            "currency_code currency",
            "unparsed total_amount",
            "missing total_amount",
        ),
    ),
    Source(
        name="shop_order_lines",
        system="shop",
        description="E-commerce order lines.",
        key="order_line_id",
        default_format="csv",
        columns=(
            _c("order_line_id", "string", "Line id.", required=True),
            _c("order_id", "string", "Order the line belongs to.", required=True, parent="shop_orders"),
            _c("product_sku", "string", "Product bought.", required=True),
            _c("quantity", "integer", "Units bought.", required=True),
            _c("unit_price", "decimal", "Price of one unit before discount.", required=True),
            _c("discount_amount", "decimal", "Discount on the line."),
            _c("returned_quantity", "integer", "Units returned so far."),
        ),
    ),
    Source(
        name="pos_transactions",
        system="pos",
        description="In-store till transactions, one row per receipt.",
        key="transaction_id",
        default_format="csv",
        markers=("email", "loyalty_card", "pos_transaction"),
        columns=(
            _c("transaction_id", "string", "Receipt id.", required=True, identifier="pos_transaction"),
            _c("store_id", "string", "Store of the till.", required=True),
            _c("occurred_at", "timestamp", "When the receipt was issued, with the store's offset.", required=True),
            _c(
                "loyalty_card_number",
                "string",
                "Loyalty card scanned at the till, if any.",
                pii=True,
                identifier="loyalty_card",
            ),
            _c(
                "receipt_email",
                "string",
                "E-mail given for an e-receipt, if any.",
                pii=True,
                identifier="email",
                trim_whitespace=True,
            ),
            _c(
                "transaction_type",
                "string",
                "sale or return.",
                required=True,
                case="lower",
                accepted=("sale", "return"),
            ),
            _c("payment_method", "string", "card, cash or mobile.", case="lower", accepted=("card", "cash", "mobile")),
            _c("currency", "string", "ISO 4217 currency code.", required=True, currency_code=True),
            _c("total_amount", "decimal", "Receipt total (negative for returns).", required=True),
        ),
        check_order=(
            "missing transaction_id",
            "missing store_id",
            "unparsed occurred_at",
            "missing occurred_at",
            "missing transaction_type",
            "accepted transaction_type",
            "missing currency",
            "currency_code currency",
            "unparsed total_amount",
            "missing total_amount",
        ),
    ),
    Source(
        name="pos_transaction_lines",
        system="pos",
        description="In-store till receipt lines.",
        key="transaction_line_id",
        default_format="csv",
        columns=(
            _c("transaction_line_id", "string", "Line id.", required=True),
            _c(
                "transaction_id",
                "string",
                "Receipt the line belongs to.",
                required=True,
                identifier="pos_transaction",
                header="pos_transactions",
            ),
            _c("product_sku", "string", "Product.", required=True),
            _c("quantity", "integer", "Units (negative for returns).", required=True),
            _c("unit_price", "decimal", "Price of one unit before discount.", required=True),
            _c("discount_amount", "decimal", "Discount on the line."),
        ),
    ),
    Source(
        name="stores",
        system="pos",
        description="Store list.",
        key="store_id",
        default_format="csv",
        columns=(
            _c("store_id", "string", "Store id.", required=True),
            _c("store_name", "string", "Store name.", required=True),
            _c("city", "string", "City."),
            _c("postcode", "string", "Postcode.", case="upper"),
            _c("country", "string", "Country (ISO 3166 alpha-2).", case="upper", staged_as="country_code"),
            _c("opened_on", "date", "Opening date."),
            _c("closed_on", "date", "Closing date, if closed."),
        ),
    ),
    Source(
        name="crm_customers",
        system="crm",
        description="Customer accounts exported from the CRM, one row per account.",
        key="crm_customer_id",
        default_format="csv",
        markers=("crm_account", "email", "phone", "user_id"),
        columns=(
            _c("crm_customer_id", "string", "CRM account id.", required=True, pii=True, identifier="crm_account"),
            _c("user_id", "string", "Shop account id linked to the CRM account.", pii=True, identifier="user_id"),
            _c("first_name", "string", "First name.", pii=True),
            _c("last_name", "string", "Last name.", pii=True),
            _c("email", "string", "E-mail.", pii=True, identifier="email"),
            _c("phone", "string", "Phone, in any format.", pii=True, identifier="phone", country_column="country"),
            _c("birth_date", "date", "Date of birth.", pii=True),
            _c("gender", "string", "female, male, other or empty.", case="lower"),
            _c("street_address", "string", "Street and number.", pii=True),
            _c("postcode", "string", "Postcode.", pii=True, case="upper"),
            _c("city", "string", "City.", pii=True),
            _c("country", "string", "Country (ISO 3166 alpha-2).", case="upper", staged_as="country_code"),
            _c("marital_status", "string", "single, married, divorced, widowed or empty.", case="lower"),
            _c("occupation", "string", "Occupation as entered."),
            _c("income_band", "string", "Income band (e.g. '<20k', '20-40k')."),
            _c("email_opt_in", "boolean", "Whether the account opted in to marketing e-mail."),
            _c("sms_opt_in", "boolean", "Whether the account opted in to marketing SMS."),
            _c("consent_updated_at", "timestamp", "When the opt-in flags were last changed."),
            _c("created_at", "timestamp", "When the account was created.", required=True),
            _c("updated_at", "timestamp", "When the account was last changed.", required=True),
        ),
        check_order=(
            "missing crm_customer_id",
            "unparsed created_at",
            "unparsed updated_at",
            "missing created_at",
            "missing updated_at",
        ),
    ),
    Source(
        name="loyalty_members",
        system="loyalty",
        description="Loyalty programme members: one card per row, tied to an e-mail or a phone.",
        key="loyalty_card_number",
        default_format="csv",
        markers=("email", "phone", "loyalty_card"),
        columns=(
            _c("loyalty_card_number", "string", "Card number.", required=True, pii=True, identifier="loyalty_card"),
            _c(
                "email",
                "string",
                "E-mail the card is registered to.",
                pii=True,
                identifier="email",
                trim_whitespace=True,
            ),
            _c("phone", "string", "Phone the card is registered to, in any format.", pii=True, identifier="phone"),
            _c("first_name", "string", "First name.", pii=True),
            _c("last_name", "string", "Last name.", pii=True),
            _c(
                "tier",
                "string",
                "bronze, silver, gold or platinum.",
                case="lower",
                accepted=("bronze", "silver", "gold", "platinum"),
            ),
            _c("joined_at", "timestamp", "When the member joined.", required=True),
            _c("points_balance", "integer", "Points balance at export time."),
            _c("status", "string", "active or closed.", case="lower", accepted=("active", "closed")),
        ),
    ),
    Source(
        name="email_events",
        system="marketing",
        description="E-mail service provider events (one JSON object per line).",
        key="email_event_id",
        default_format="jsonl",
        markers=("email",),
        columns=(
            _c("email_event_id", "string", "Event id.", required=True),
            _c(
                "event_type",
                "string",
                "sent, delivered, open, click, bounce, unsubscribe or spam_complaint.",
                required=True,
                case="lower",
                accepted=("sent", "delivered", "open", "click", "bounce", "unsubscribe", "spam_complaint"),
            ),
            _c(
                "email",
                "string",
                "Recipient address.",
                required=True,
                pii=True,
                identifier="email",
                trim_whitespace=True,
            ),
            _c("campaign_id", "string", "Campaign."),
            _c("bounce_type", "string", "hard or soft, for bounces.", case="lower"),
            _c("link_url", "string", "Clicked link, for clicks."),
            _c("occurred_at", "timestamp", "When the event happened.", required=True),
        ),
    ),
    Source(
        name="messaging_sends",
        system="marketing",
        description="SMS and push notification sends and their outcomes.",
        key="message_event_id",
        default_format="csv",
        markers=("phone", "push_token"),
        columns=(
            _c("message_event_id", "string", "Event id.", required=True),
            _c("channel", "string", "sms or push.", required=True, case="lower", accepted=("sms", "push")),
            _c(
                "event_type",
                "string",
                "sent, delivered, clicked, failed or opted_out.",
                required=True,
                case="lower",
                accepted=("sent", "delivered", "clicked", "failed", "opted_out"),
            ),
            _c("phone", "string", "Recipient phone (SMS).", pii=True, identifier="phone"),
            _c("push_token", "string", "Recipient push token (push).", pii=True, identifier="push_token"),
            _c("campaign_id", "string", "Campaign."),
            _c("occurred_at", "timestamp", "When the event happened.", required=True),
        ),
    ),
    Source(
        name="support_tickets",
        system="support",
        description="Help-desk tickets.",
        key="ticket_id",
        default_format="csv",
        markers=("email", "phone"),
        columns=(
            _c("ticket_id", "string", "Ticket id.", required=True),
            _c("requester_email", "string", "Requester's e-mail.", pii=True, identifier="email", trim_whitespace=True),
            _c("requester_phone", "string", "Requester's phone, in any format.", pii=True, identifier="phone"),
            _c("requester_name", "string", "Requester's name as typed.", pii=True),
            _c("channel", "string", "email, phone or web_form.", case="lower"),
            _c("category", "string", "Topic of the ticket."),
            _c("status", "string", "open, pending, solved or closed.", case="lower"),
            _c("satisfaction_score", "integer", "Customer satisfaction 1-5, if rated.", bounds=(1, 5)),
            _c("created_at", "timestamp", "When the ticket was opened.", required=True),
            _c("solved_at", "timestamp", "When the ticket was solved."),
        ),
    ),
    Source(
        name="live_chats",
        system="support",
        description="Live chat conversations from the website widget (one JSON object per line).",
        key="chat_id",
        default_format="jsonl",
        markers=("anonymous_id", "email"),
        columns=(
            _c("chat_id", "string", "Chat id.", required=True),
            _c("anonymous_id", "string", "Website cookie id of the visitor.", pii=True, identifier="anonymous_id"),
            _c(
                "visitor_email",
                "string",
                "E-mail the visitor gave.",
                pii=True,
                identifier="email",
                trim_whitespace=True,
            ),
            _c("visitor_name", "string", "Name the visitor gave.", pii=True),
            _c("status", "string", "missed or completed.", case="lower"),
            _c("message_count", "integer", "Messages exchanged.", bounds=(0, None)),
            _c("satisfaction_score", "integer", "Satisfaction 1-5, if rated.", bounds=(1, 5)),
            _c("started_at", "timestamp", "When the chat started.", required=True),
            _c("ended_at", "timestamp", "When the chat ended."),
        ),
    ),
    Source(
        name="qr_scans",
        system="qr",
        description=(
            "QR code scans: an online scan on a product page or poster (cookie id and location) and the in-store "
            "rescan of the same code at the till (store id), which ties online browsing to an in-store purchase."
        ),
        key="scan_id",
        default_format="jsonl",
        markers=("anonymous_id", "qr_code", "pos_transaction"),
        columns=(
            _c("scan_id", "string", "Scan id.", required=True),
            _c(
                "qr_code_id",
                "string",
                "The code scanned; an online scan and its in-store rescan share it.",
                required=True,
                identifier="qr_code",
            ),
            _c(
                "scan_type",
                "string",
                "online or in_store.",
                required=True,
                case="lower",
                accepted=("online", "in_store"),
            ),
            _c("anonymous_id", "string", "Website cookie id (online scans).", pii=True, identifier="anonymous_id"),
            _c("latitude", "decimal", "Latitude of the scan (online scans).", pii=True, scale=(9, 6), bounds=(-90, 90)),
            _c(
                "longitude",
                "decimal",
                "Longitude of the scan (online scans).",
                pii=True,
                scale=(9, 6),
                bounds=(-180, 180),
            ),
            _c("store_id", "string", "Store of the rescan (in-store scans)."),
            _c(
                "transaction_id",
                "string",
                "Till receipt the rescan was made for (in-store scans).",
                identifier="pos_transaction",
            ),
            _c("product_sku", "string", "Product the code points to."),
            _c("scanned_at", "timestamp", "When the code was scanned.", required=True),
        ),
    ),
    Source(
        name="products",
        system="catalog",
        description="Product catalogue.",
        key="product_sku",
        default_format="csv",
        columns=(
            _c("product_sku", "string", "Product SKU.", required=True),
            _c("product_name", "string", "Name.", required=True),
            _c("category", "string", "Category."),
            _c("subcategory", "string", "Subcategory."),
            _c("brand", "string", "Brand."),
            _c("list_price", "decimal", "Current list price."),
            _c("unit_cost", "decimal", "Cost of one unit, where known."),
            _c("currency", "string", "ISO 4217 currency code.", currency_code=True),
            _c("is_active", "boolean", "Whether the product is still sold."),
            _c("launched_on", "date", "Launch date."),
        ),
    ),
)

SOURCES_BY_NAME = {source.name: source for source in SOURCES}


def check_sources(sources: tuple[Source, ...]) -> None:
    """Refuse a contract whose parts do not fit together (an error at import, before anything reads it)."""
    systems = {system.name for system in SYSTEMS}
    for source in sources:
        where = f"contract of {source.name}"
        names = source.column_names
        carried = list(dict.fromkeys(column.identifier for column in source.columns if column.identifier))
        problems = [
            # it names the raw table, and an interaction key is <source name>:<record key>
            f"name {source.name!r} is not lower-case letters, digits and underscores"
            if not re.fullmatch(r"[a-z][a-z0-9_]*", source.name)
            else "",
            f"unknown system {source.system!r}" if source.system not in systems else "",
            f"default format {source.default_format!r} has no extension"
            if source.default_format not in FORMATS.values()
            else "",
            f"key {source.key!r} is not a required column" if source.key not in source.required_columns else "",
            "a column name is used twice" if len(set(names)) != len(names) else "",
            f"markers {', '.join(source.markers)} are not the identifier types of its columns ({', '.join(carried)})"
            if source.markers and sorted(source.markers) != sorted(carried)
            else "",
            f"check_order must name each of its checks once: {', '.join(source.usual_checks)}"
            if source.check_order and sorted(source.check_order) != sorted(source.usual_checks)
            else "",
            "more than one column has a header source"
            if sum(bool(column.header_source) for column in source.columns) > 1
            else "",
        ]
        for column in source.columns:
            problems += [
                f"{column.name}: unknown type {column.type!r}" if column.type not in TYPES else "",
                f"{column.name}: unknown identifier type {column.identifier!r}"
                if column.identifier and column.identifier not in IDENTIFIER_TYPES
                else "",
                f"{column.name}: country column {column.country_column!r} is not a column"
                if column.country_column and column.country_column not in names
                else "",
                f"{column.name}: parent {column.parent!r} is not a source"
                if column.parent and column.parent not in SOURCES_BY_NAME
                else "",
                f"{column.name}: header {column.header!r} is not a source"
                if column.header and column.header not in SOURCES_BY_NAME
                else "",
                f"{column.name}: case {column.case!r} is neither lower nor upper"
                if column.case not in (None, "lower", "upper")
                else "",
                f"{column.name}: accepted values, a currency code or case folding need a string column"
                if (column.accepted or column.currency_code or column.case or column.trim_whitespace)
                and column.type != "string"
                else "",
                f"{column.name}: bounds need a number column"
                if column.bounds and column.type not in ("integer", "decimal")
                else "",
                f"{column.name}: a scale needs a decimal column" if column.scale and column.type != "decimal" else "",
            ]
        problems = [problem for problem in problems if problem]
        if problems:
            raise ValueError(f"{where}: " + "; ".join(problems))


check_sources(SOURCES)


def source_for_file(file_name: str) -> Source | None:
    """The source a file belongs to, from its name: `<source>[_anything].<ext>`.

    The longest matching source name wins, so `shop_order_lines.csv` is not taken for
    `shop_orders`.
    """
    stem = file_name.split(".", 1)[0].lower()
    matches = [
        source
        for source in SOURCES
        if stem == source.name or stem.startswith(source.name + "_") or stem.startswith(source.name + "-")
    ]
    if not matches:
        return None
    return max(matches, key=lambda source: len(source.name))


def format_for_file(file_name: str) -> str | None:
    """The format a file's extension says; None for an extension no format has."""
    lowered = file_name.lower()
    for extension, file_format in FORMATS.items():
        if lowered.endswith(extension):
            return file_format
    return None
