"""The generator's world: catalogue, stores, campaign calendars, households and people.

These tables are drawn once for the whole population from their own random streams, before
any activity. Activity is then simulated block by block of people, and every block reads
the same world, so the output does not depend on how the work is split.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import reference as ref
from . import text as tx
from .params import GeneratorParams

DAY = 86_400
NEVER = np.iinfo(np.int64).max // 4  # a time after every simulated one

# Independent random streams, keyed (stream,) or (stream, block number); days after the history have their own,
# keyed (STREAM_DAYS, first day, part, ...) and (STREAM_DAYS_STABLE, what) for what stays the same every day.
STREAM_CATALOGUE, STREAM_PEOPLE, STREAM_BOTS, STREAM_DELIVERY, STREAM_BLOCKS, STREAM_DAYS, STREAM_DAYS_STABLE = range(7)

SEGMENTS = ("buyer", "browser", "contact_only")
BUYER, BROWSER, CONTACT_ONLY = range(3)
GENDERS = ("female", "male", "other")


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent random stream for one part of the generation."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


@dataclass
class Catalogue:
    sku: pa.Array
    name: pa.Array
    category: pa.Array
    subcategory: pa.Array
    brand: pa.Array
    price_cents: np.ndarray
    cost_cents: np.ndarray  # -1 where the cost is unknown
    launched_day: np.ndarray  # days since 1970-01-01
    discontinued_day: np.ndarray  # NEVER for products still sold
    popularity: np.ndarray  # probabilities of being browsed
    by_price: np.ndarray  # product indices sorted by price

    def __len__(self) -> int:
        return len(self.price_cents)


@dataclass
class Stores:
    store_id: pa.Array
    name: pa.Array
    city: np.ndarray
    country: pa.Array
    postcode: pa.Array
    opened_s: np.ndarray
    closed_s: np.ndarray  # NEVER if open
    currency: pa.Array

    def __len__(self) -> int:
        return len(self.city)


@dataclass
class Calendar:
    """Marketing campaigns of one channel: send instants (sorted) and ids."""

    sent_s: np.ndarray
    campaign_id: pa.Array


@dataclass
class Households:
    country: np.ndarray  # index into ref.COUNTRIES
    city: np.ndarray  # index into ref.CITIES
    street: pa.Array
    postcode: pa.Array
    home_ip: pa.Array
    landline: pa.Array  # national significant number, null if none
    has_tablet: np.ndarray
    tablet_device_id: pa.Array
    tablet_push_token: pa.Array
    tablet_platform: pa.Array
    home_store: np.ndarray  # index into stores, -1 if none nearby


@dataclass
class People:
    person_id: pa.Array
    household: np.ndarray
    country: np.ndarray
    zone: np.ndarray  # index into Clock.zone_names
    gender: np.ndarray
    first_name: pa.Array
    nickname: pa.Array  # null if the name has no usual short form
    last_name: pa.Array
    birth_day: np.ndarray
    email: pa.Array
    email2: pa.Array  # null if none
    calling_code: pa.Array
    mobile: pa.Array  # national significant number, null if none
    old_mobile: pa.Array  # number before the change, null if unchanged
    mobile_changed_s: np.ndarray  # NEVER if unchanged
    segment: np.ndarray
    acquired_s: np.ndarray
    purchase_rate: np.ndarray  # BG/NBD lambda, per day
    dropout_p: np.ndarray  # BG/NBD p
    spend_nu: np.ndarray  # Gamma-Gamma nu; true mean spend = p / nu
    online_share: np.ndarray
    engagement: np.ndarray  # e-mail open propensity

    def __len__(self) -> int:
        return len(self.household)


@dataclass
class World:
    params: GeneratorParams
    seed: int
    customers: int
    bots: int
    start_s: int  # first simulated instant (UTC epoch seconds)
    end_s: int  # first instant after end_date
    clock: tx.Clock
    catalogue: Catalogue
    stores: Stores
    email_calendar: Calendar
    sms_calendar: Calendar
    push_calendar: Calendar
    households: Households
    people: People


def scale_of_catalogue(customers: int) -> int:
    return min(5000, 300 + customers // 50)


def scale_of_stores(customers: int) -> int:
    return min(60, 20 + customers // 25_000)


def build_world(customers: int, seed: int, end_date: date, params: GeneratorParams) -> World:
    end_s = int(datetime(end_date.year, end_date.month, end_date.day, tzinfo=timezone.utc).timestamp()) + DAY
    start_s = end_s - params.population.history_days * DAY
    clock = tx.Clock((end_date - timedelta(days=params.population.history_days)).year, end_date.year)
    rng = stream(seed, STREAM_CATALOGUE)
    catalogue = _catalogue(rng, scale_of_catalogue(customers), start_s, end_s)
    stores = _stores(rng, scale_of_stores(customers), start_s, end_s)
    email_calendar, sms_calendar, push_calendar = calendars(rng, start_s, end_s)
    rng = stream(seed, STREAM_PEOPLE)
    households, household_of_person = _households(rng, customers, params, stores)
    people = _people(rng, household_of_person, households, params, start_s, end_s)
    bots = max(2, round(customers * params.population.bots_per_customer))
    return World(
        params,
        seed,
        customers,
        bots,
        start_s,
        end_s,
        clock,
        catalogue,
        stores,
        email_calendar,
        sms_calendar,
        push_calendar,
        households,
        people,
    )


# --- catalogue, stores, calendars -------------------------------------------------------------


def _catalogue(rng: np.random.Generator, n: int, start_s: int, end_s: int) -> Catalogue:
    kinds = [(category, sub, noun, price) for category, subs in ref.CATEGORIES.items() for sub, noun, price in subs]
    kind = rng.integers(0, len(kinds), n)
    brand = rng.integers(0, len(ref.BRANDS), n)
    adjective = rng.integers(0, len(ref.PRODUCT_ADJECTIVES), n)
    colour = rng.integers(0, len(ref.COLOURS), n)
    typical = np.array([k[3] for k in kinds], dtype=float)[kind]
    pounds = np.maximum(2.0, typical * rng.lognormal(0.0, 0.45, n))
    ending = rng.choice(np.array([99, 50, 0]), size=n, p=[0.6, 0.15, 0.25])
    price_cents = np.floor(pounds).astype(np.int64) * 100 + ending
    cost_cents = np.round(price_cents * rng.uniform(0.3, 0.6, n)).astype(np.int64)
    cost_cents[rng.random(n) < 0.08] = -1  # costs of some bought-in lines were never recorded
    start_day, end_day = start_s // DAY, end_s // DAY
    launched_day = rng.integers(start_day - 3 * 365, end_day - 14, n)
    discontinued_day = np.full(n, NEVER)
    retired = rng.random(n) < 0.12
    discontinued_day[retired] = np.maximum(launched_day[retired] + 90, rng.integers(start_day, end_day, retired.sum()))
    discontinued_day[retired & (discontinued_day >= end_day)] = end_day - 1
    codes = [ref.CATEGORY_CODES[k[0]] for k in kinds]
    numbers = tx.scramble(np.arange(n), 90_000, 7_919, 1_234) + 10_000
    sku = tx.join(tx.pick(codes, kind), "-", tx.digits(numbers))
    name = tx.join(
        tx.pick(ref.BRANDS, brand),
        " ",
        tx.pick(ref.PRODUCT_ADJECTIVES, adjective),
        " ",
        tx.pick(ref.COLOURS, colour),
        " ",
        tx.pick([k[2] for k in kinds], kind),
    )
    popularity = 1.0 / (rng.permutation(n) + 1.0) ** 0.8
    return Catalogue(
        sku=sku,
        name=name,
        category=tx.pick([k[0] for k in kinds], kind),
        subcategory=tx.pick([k[1] for k in kinds], kind),
        brand=tx.pick(ref.BRANDS, brand),
        price_cents=price_cents,
        cost_cents=cost_cents,
        launched_day=launched_day,
        discontinued_day=discontinued_day,
        popularity=popularity / popularity.sum(),
        by_price=np.argsort(price_cents, kind="stable"),
    )


def _stores(rng: np.random.Generator, n: int, start_s: int, end_s: int) -> Stores:
    candidates = [i for i, city in enumerate(ref.CITIES) if city[1] in ("GB", "IE")]
    weights = np.array([ref.CITIES[i][2] for i in candidates], dtype=float) ** 0.6
    # Every candidate city gets a store before any city gets a second one, as chains grow.
    order = [candidates[i] for i in np.argsort(-weights, kind="stable")]
    extra = rng.choice(candidates, size=max(0, n - len(order)), p=weights / weights.sum())
    city = np.array((order + list(extra))[:n])
    names: list[str] = []
    seen: dict[str, int] = {}
    for c in city.tolist():
        seen[c] = seen.get(c, 0) + 1
        site = "" if seen[c] == 1 else " " + ref.STORE_SITES[(seen[c] - 2) % len(ref.STORE_SITES)]
        names.append(f"Hartwell {ref.CITIES[c][0]}{site}")
    opened_s = np.where(
        rng.random(n) < 0.8,
        start_s - rng.integers(1, 15 * 365, n) * DAY,
        start_s + rng.integers(0, (end_s - start_s) // DAY - 60, n) * DAY,
    )
    closed_s = np.full(n, NEVER)
    closing = rng.random(n) < 0.08
    closed_s[closing] = np.maximum(opened_s[closing], start_s) + rng.integers(180, 700, closing.sum()) * DAY
    closed_s[closed_s >= end_s - 30 * DAY] = NEVER
    country = [ref.CITIES[c][1] for c in city.tolist()]
    return Stores(
        store_id=tx.numbered("ST", np.arange(1, n + 1), 3),
        name=tx.text(names),
        city=city,
        country=tx.text(country),
        postcode=postcodes(rng, city),
        opened_s=opened_s,
        closed_s=closed_s,
        currency=tx.text(["EUR" if c == "IE" else "GBP" for c in country]),
    )


def calendars(rng: np.random.Generator, start_s: int, end_s: int) -> tuple[Calendar, Calendar, Calendar]:
    """Campaign calendars of e-mail (Tuesdays and Fridays), SMS (Wednesdays) and push (Mondays and Thursdays)."""
    email, sms, push = (
        _calendar(rng, start_s, end_s, *spec)
        for spec in (
            ("em", (1, 4), ref.EMAIL_THEMES, 8),
            ("sms", (2,), ref.SMS_THEMES, 11),
            ("push", (0, 3), ref.PUSH_THEMES, 17),
        )
    )
    return email, sms, push


def _calendar(
    rng: np.random.Generator, start_s: int, end_s: int, prefix: str, weekdays: tuple, themes: tuple, hour: int
) -> Calendar:
    days = np.arange(start_s // DAY, end_s // DAY)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday (weekday 3, Monday = 0)
    days = days[np.isin(weekday, weekdays)]
    sent_s = days * DAY + hour * 3600 + rng.integers(0, 3600, len(days))
    theme = np.arange(len(days)) % len(themes)
    ids = tx.join(prefix, "-", pc.replace_substring(tx.dates(days), "-", ""), "-", tx.pick(themes, theme))
    return Calendar(sent_s=sent_s, campaign_id=ids)


# --- households and people -------------------------------------------------------------


def postcodes(rng: np.random.Generator, city: np.ndarray) -> pa.Array:
    """Postcodes in the city's format: UK 'SW4 7QX' (area, district, sector, unit), otherwise
    the city's template ('#' a digit, '@' a letter)."""
    n = len(city)
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters UK postcode units use
    areas = [c[3] if isinstance(c[3], tuple) else ("",) for c in ref.CITIES]
    area_count = np.array([len(a) for a in areas])
    flat_areas = [a for group in areas for a in group]
    first_area = np.cumsum(area_count) - area_count
    area = tx.pick(flat_areas, first_area[city] + (rng.random(n) * area_count[city]).astype(np.int64))
    unit = rng.integers(0, len(letters), (n, 2))
    out = tx.join(
        area,
        tx.digits(rng.integers(1, 21, n)),
        " ",
        tx.digits(rng.integers(0, 10, n)),
        tx.pick(list(letters), unit[:, 0]),
        tx.pick(list(letters), unit[:, 1]),
    )
    abroad = np.flatnonzero([not isinstance(ref.CITIES[c][3], tuple) for c in range(len(ref.CITIES))])
    rows = np.flatnonzero(np.isin(city, abroad))
    if len(rows):
        digit = rng.integers(0, 10, (len(rows), 6)).tolist()
        letter = rng.integers(0, len(letters), (len(rows), 4)).tolist()
        filled = []
        for template, digits_, letters_ in zip(
            (ref.CITIES[c][3] for c in city[rows].tolist()), digit, letter, strict=True
        ):
            next_digit, next_letter = iter(digits_), iter(letters_)
            filled.append(
                "".join(
                    str(next(next_digit)) if ch == "#" else letters[next(next_letter)] if ch == "@" else ch
                    for ch in template
                )
            )
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        out = tx.replace_rows(out, mask, filled)
    return out


def _unique_numbers(rng: np.random.Generator, draw, n: int) -> np.ndarray:
    """n distinct numbers from draw(rng, size)."""
    numbers = draw(rng, n)
    while True:
        _, first = np.unique(numbers, return_index=True)
        if len(first) == n:
            return numbers
        clash = np.ones(n, dtype=bool)
        clash[first] = False
        numbers[clash] = draw(rng, int(clash.sum()))


def _households(rng: np.random.Generator, customers: int, params: GeneratorParams, stores: Stores):
    pop = params.population
    sizes = rng.choice(np.arange(1, 5), size=customers, p=pop.household_size_shares)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, customers) + 1)
    household_of_person = np.repeat(np.arange(count), sizes[:count])[:customers]
    size = np.bincount(household_of_person, minlength=count)
    country_share = np.array([c[1] for c in ref.COUNTRIES])
    country = rng.choice(len(ref.COUNTRIES), size=count, p=country_share / country_share.sum())
    city = np.empty(count, dtype=np.int64)
    for index, code in enumerate(c[0] for c in ref.COUNTRIES):
        rows = country == index
        options = [i for i, c in enumerate(ref.CITIES) if c[1] == code]
        weights = np.array([ref.CITIES[i][2] for i in options], dtype=float)
        city[rows] = rng.choice(options, size=int(rows.sum()), p=weights / weights.sum())
    house = rng.integers(1, 250, count)
    flat = rng.random(count) < 0.12
    street = tx.join(tx.pick(ref.STREET_NAMES, rng.integers(0, len(ref.STREET_NAMES), count)))
    street = tx.join(tx.digits(house), " ", street)
    street = tx.where(flat, tx.join("Flat ", tx.digits(rng.integers(1, 30, count)), ", ", street), street)
    home_ip = _ips(rng, ref.BROADBAND_OCTETS, count)
    is_gb = country == 0
    landline_numbers = _unique_numbers(
        rng, lambda r, k: 1_000_000_000 + r.integers(100, 999, k) * 1_000_000 + r.integers(0, 1_000_000, k), count
    )
    landline = tx.null_where(~(is_gb & (rng.random(count) < pop.landline_household_share)), tx.digits(landline_numbers))
    has_tablet = (size >= 2) & (rng.random(count) < pop.shared_tablet_household_share)
    tablet_platform = tx.pick(("ios", "android"), (rng.random(count) < 0.45).astype(int))
    home_store = np.full(count, -1)
    for c in np.unique(city):
        local = np.flatnonzero(stores.city == c)
        if len(local):
            rows = np.flatnonzero(city == c)
            home_store[rows] = local[rng.integers(0, len(local), len(rows))]
    # People in a city without a store shop in one of the country's stores, the bigger the closer.
    store_country = np.asarray(stores.country.to_pylist())
    for index, code in ((0, "GB"), (1, "IE")):
        rows = np.flatnonzero((home_store < 0) & (country == index))
        country_stores = np.flatnonzero(store_country == code)
        if len(rows) and len(country_stores):
            home_store[rows] = country_stores[rng.integers(0, len(country_stores), len(rows))]
    households = Households(
        country=country,
        city=city,
        street=street,
        postcode=postcodes(rng, city),
        home_ip=home_ip,
        landline=landline,
        has_tablet=has_tablet,
        tablet_device_id=tx.uuids(rng, count),
        tablet_push_token=tx.null_where(
            rng.random(count) >= params.accounts.push_permission_share,
            tx.hex_text(rng.integers(0, 256, (count, 32), dtype=np.uint8)),
        ),
        tablet_platform=tablet_platform,
        home_store=home_store,
    )
    return households, household_of_person


def _ips(rng: np.random.Generator, first_octets: tuple, n: int) -> pa.Array:
    octets = [tx.digits(np.asarray(first_octets)[rng.integers(0, len(first_octets), n)])]
    octets += [
        tx.digits(rng.integers(0, 256, n)),
        tx.digits(rng.integers(0, 256, n)),
        tx.digits(rng.integers(1, 255, n)),
    ]
    return tx.join(octets[0], ".", octets[1], ".", octets[2], ".", octets[3])


def random_ips(rng: np.random.Generator, kind: str, n: int) -> pa.Array:
    octets = {"mobile": ref.MOBILE_OCTETS, "broadband": ref.BROADBAND_OCTETS, "datacentre": ref.DATACENTRE_OCTETS}[kind]
    return _ips(rng, octets, n)


def _people(
    rng, household: np.ndarray, households: Households, params: GeneratorParams, start_s: int, end_s: int
) -> People:
    pop, spend, purchase = params.population, params.spend, params.purchase
    n = len(household)
    country = households.country[household]
    zone_of_country = np.array([list(tx.ZONES).index(c[3]) for c in ref.COUNTRIES])
    eu = np.isin(country, [2, 3, 4, 5])  # continental Europe: local names
    gender = rng.choice(3, size=n, p=[0.51, 0.47, 0.02])
    female = (gender == 0) | ((gender == 2) & (rng.random(n) < 0.5))
    first_name = tx.where(
        eu,
        tx.where(
            female,
            tx.pick(ref.FEMALE_NAMES_EU, rng.integers(0, len(ref.FEMALE_NAMES_EU), n)),
            tx.pick(ref.MALE_NAMES_EU, rng.integers(0, len(ref.MALE_NAMES_EU), n)),
        ),
        tx.where(
            female,
            tx.pick(ref.FEMALE_NAMES_UK, rng.integers(0, len(ref.FEMALE_NAMES_UK), n)),
            tx.pick(ref.MALE_NAMES_UK, rng.integers(0, len(ref.MALE_NAMES_UK), n)),
        ),
    )
    nickname = pc.take(
        tx.text(list(ref.NICKNAMES.values())), pc.index_in(first_name, value_set=tx.text(list(ref.NICKNAMES)))
    )
    # Members of a household mostly share the surname of its first member.
    own_surname = tx.where(
        eu,
        tx.pick(ref.SURNAMES_EU, rng.integers(0, len(ref.SURNAMES_EU), n)),
        tx.pick(ref.SURNAMES_UK, rng.integers(0, len(ref.SURNAMES_UK), n)),
    )
    first_member = np.searchsorted(household, household)
    shares = rng.random(n) < pop.household_surname_share
    last_name = pc.take(own_surname, pa.array(np.where(shares, first_member, np.arange(n))))
    # Ages: the first two members of a household are of an age, later ones are grown-up children.
    position = np.arange(n) - first_member
    age_years = 18 + 62 * rng.beta(2.0, 2.6, n)
    age_years = np.where(position == 1, np.clip(age_years[first_member] + rng.normal(0, 4, n), 18, 90), age_years)
    age_years = np.where(position >= 2, 18 + rng.uniform(0, 12, n), age_years)
    birth_day = (end_s // DAY - age_years * 365.25).astype(np.int64)
    # Twins: a second member born the same day as the first, with the family's surname (a hard case for matching).
    twin = (position == 1) & (rng.random(n) < pop.twin_share)
    birth_day = np.where(twin, birth_day[first_member], birth_day)
    last_name = pc.take(last_name, pa.array(np.where(twin, first_member, np.arange(n))))

    email, email2 = _emails(rng, first_name, last_name, birth_day, country, pop.second_email_share)

    calling_code = tx.pick([c[2] for c in ref.COUNTRIES], country)
    draws = {  # national significant numbers of mobiles per country; unique within a calling code
        0: lambda r, k: (
            7_000_000_000 + r.choice([1, 2, 3, 4, 5, 7, 8, 9], k) * 100_000_000 + r.integers(0, 100_000_000, k)
        ),
        1: lambda r, k: 800_000_000 + r.choice([3, 5, 6, 7, 9], k) * 10_000_000 + r.integers(0, 10_000_000, k),
        2: lambda r, k: 600_000_000 + r.integers(0, 200_000_000, k),
        3: lambda r, k: 15_000_000_000 + r.integers(0, 3_000_000_000, k),
        4: lambda r, k: 600_000_000 + r.integers(0, 100_000_000, k),
        5: lambda r, k: 600_000_000 + r.integers(0, 100_000_000, k),
        6: lambda r, k: r.choice([212, 646, 917, 617, 857], k) * 10_000_000 + r.integers(2_000_000, 10_000_000, k),
    }
    mobile_numbers = np.zeros(n, dtype=np.int64)
    old_numbers = np.zeros(n, dtype=np.int64)
    for index, draw in draws.items():
        rows = np.flatnonzero(country == index)
        numbers = _unique_numbers(rng, draw, 2 * len(rows))
        mobile_numbers[rows], old_numbers[rows] = numbers[: len(rows)], numbers[len(rows) :]
    has_mobile = rng.random(n) < pop.mobile_share
    changed = has_mobile & (rng.random(n) < pop.phone_change_share)
    mobile = tx.null_where(~has_mobile, tx.digits(mobile_numbers))
    old_mobile = tx.null_where(~changed, tx.digits(old_numbers))
    mobile_changed_s = np.where(changed, rng.integers(start_s, end_s - 30 * DAY, n), NEVER)

    segment = rng.choice(3, size=n, p=list(pop.segment_shares.values()))
    acquired_s = start_s + (pop.history_days * DAY * rng.random(n) ** pop.acquisition_skew).astype(np.int64)
    purchase_rate = rng.gamma(purchase.r, 1.0 / purchase.alpha, n)
    dropout_p = rng.beta(purchase.a, purchase.b, n)
    spend_nu = rng.gamma(spend.q, 1.0 / spend.gamma, n)
    kind = rng.random(n)
    mixed = rng.beta(*pop.mixed_channel_beta, n)
    online_share = np.where(
        kind < pop.online_only_share, 1.0, np.where(kind < pop.online_only_share + pop.store_only_share, 0.0, mixed)
    )
    online_share[households.home_store[household] < 0] = 1.0  # nobody shops in a store abroad
    engagement = rng.beta(*pop.email_engagement_beta, n)
    return People(
        person_id=tx.numbered("P", np.arange(1, n + 1), 8),
        household=household,
        country=country,
        zone=zone_of_country[country],
        gender=gender,
        first_name=first_name,
        nickname=nickname,
        last_name=last_name,
        birth_day=birth_day,
        email=email,
        email2=email2,
        calling_code=calling_code,
        mobile=mobile,
        old_mobile=old_mobile,
        mobile_changed_s=mobile_changed_s,
        segment=segment,
        acquired_s=acquired_s,
        purchase_rate=purchase_rate,
        dropout_p=dropout_p,
        spend_nu=spend_nu,
        online_share=online_share,
        engagement=engagement,
    )


def _weighted_domains(rng: np.random.Generator, country: np.ndarray) -> pa.Array:
    domains = np.empty(len(country), dtype=object)
    for index, code in enumerate(c[0] for c in ref.COUNTRIES):
        rows = np.flatnonzero(country == index)
        names = [d for d, _ in ref.EMAIL_DOMAINS[code]]
        weights = np.array([w for _, w in ref.EMAIL_DOMAINS[code]], dtype=float)
        domains[rows] = np.asarray(names, dtype=object)[
            rng.choice(len(names), size=len(rows), p=weights / weights.sum())
        ]
    return pa.array(domains, pa.string())


def _emails(rng, first_name, last_name, birth_day, country, second_share):
    """Primary and (for some) second e-mail addresses, unique per mailbox across everyone."""
    n = len(birth_day)
    first, last = tx.ascii_fold(first_name), tx.ascii_fold(last_name)
    initial = pc.utf8_slice_codeunits(first, 0, 1)
    year = (1970 + birth_day // 365.25).astype(np.int64)
    yy = tx.digits(year % 100, 2)
    number = tx.digits(rng.integers(1, 999, n))
    word = tx.pick(ref.EMAIL_WORDS, rng.integers(0, len(ref.EMAIL_WORDS), n))
    patterns = [
        tx.join(first, ".", last),
        tx.join(first, last),
        tx.join(first, "_", last),
        tx.join(initial, last),
        tx.join(first, ".", last, yy),
        tx.join(first, pc.utf8_slice_codeunits(last, 0, 1), number),
        tx.join(word, first, number),
        tx.join(last, first),
        tx.join(first, tx.digits(year)),
    ]
    weights = np.array([30, 14, 5, 10, 14, 8, 6, 5, 8], dtype=float)

    def local_parts() -> pa.Array:
        return pc.choose(
            pa.array(rng.choice(len(patterns), size=n, p=weights / weights.sum()).astype(np.int8)), *patterns
        )

    work = rng.random(n) < 0.4
    local = pa.concat_arrays([local_parts(), tx.where(work, tx.join(first, ".", last), local_parts())])
    domain = pa.concat_arrays(
        [
            _weighted_domains(rng, country),
            tx.where(
                work,
                tx.pick(ref.WORK_EMAIL_DOMAINS, rng.integers(0, len(ref.WORK_EMAIL_DOMAINS), n)),
                _weighted_domains(rng, country),
            ),
        ]
    )
    has_second = rng.random(n) < second_share
    in_use = np.concatenate([np.ones(n, dtype=bool), has_second])
    is_gmail = pc.equal(domain, "gmail.com")
    # A later address that lands in someone else's mailbox gets a number, as providers insist.
    # (Gmail ignores dots, so john.smith and johnsmith at gmail.com are one mailbox.)
    while True:
        mailbox = tx.join(pc.if_else(is_gmail, pc.replace_substring(local, ".", ""), local), "@", domain)
        codes = np.where(in_use, np.asarray(pc.dictionary_encode(mailbox).indices), -1 - np.arange(2 * n))
        _, first_seen = np.unique(codes, return_index=True)
        clash = np.ones(2 * n, dtype=bool)
        clash[first_seen] = False
        if not clash.any():
            break
        suffix = tx.digits(rng.integers(2, 9999, int(clash.sum())))
        local = tx.replace_rows(local, clash, tx.join(pc.filter(local, pa.array(clash)), suffix))
    both = tx.join(local, "@", domain)
    return both.slice(0, n), tx.null_where(~has_second, both.slice(n, n))


# --- people who join after the history ----------------------------------------------------------


def stack_rows(first, second):
    """Two instances of a dataclass of parallel columns (numpy or Arrow), one after the other."""
    values = {}
    for column in fields(first):
        a, b = getattr(first, column.name), getattr(second, column.name)
        values[column.name] = (
            pa.concat_arrays([a, b.cast(a.type)]) if isinstance(a, pa.Array) else np.concatenate([a, b])
        )
    return type(first)(**values)


def add_people(world: World, count: int, rng: np.random.Generator, acquired_from_s: int, acquired_to_s: int) -> World:
    """The world with `count` more people, in households of their own, acquired in [from, to).

    They are drawn as the history's people are (ages, names and addresses as of the end of the period); a mailbox,
    mobile or landline someone already has is changed (a number added to the mailbox) or dropped (the phone)."""
    if count == 0:
        return world
    params = world.params
    households, household_of_person = _households(rng, count, params, world.stores)
    start_s = acquired_to_s - params.population.history_days * DAY
    people = _people(rng, household_of_person, households, params, start_s, acquired_to_s)
    first = len(world.people)
    people.person_id = tx.numbered("P", np.arange(first + 1, first + count + 1), 8)
    people.household = people.household + len(world.households.country)
    people.acquired_s = acquired_from_s + (rng.random(count) * (acquired_to_s - acquired_from_s)).astype(np.int64)
    _new_mailboxes(rng, world.people, people)
    earlier = world.people
    taken = _phone_set(earlier.calling_code, earlier.mobile) | _phone_set(earlier.calling_code, earlier.old_mobile)
    for name in ("mobile", "old_mobile"):
        mine = pc.binary_join_element_wise(people.calling_code, getattr(people, name), " ").to_pylist()
        setattr(people, name, tx.null_where(np.array([value in taken for value in mine], bool), getattr(people, name)))
    people.mobile_changed_s = np.where(np.asarray(pc.is_valid(people.old_mobile)), people.mobile_changed_s, NEVER)
    landlines = set(world.households.landline.drop_null().to_pylist())
    clash = np.array([value in landlines for value in households.landline.to_pylist()], dtype=bool)
    households.landline = tx.null_where(clash, households.landline)
    return replace(world, households=stack_rows(world.households, households), people=stack_rows(world.people, people))


def _phone_set(calling_code: pa.Array, number: pa.Array) -> set[str]:
    return set(pc.binary_join_element_wise(calling_code, number, " ").drop_null().to_pylist())


def _new_mailboxes(rng: np.random.Generator, earlier: People, people: People) -> None:
    """Give a number to the new addresses whose mailbox is taken, as providers insist."""
    taken = set(tx.gmail_mailbox(pa.concat_arrays([earlier.email, earlier.email2]).drop_null()).to_pylist())
    for name in ("email", "email2"):
        addresses = getattr(people, name).to_pylist()
        for row, address in enumerate(addresses):
            while address is not None and tx.gmail_mailbox(tx.text([address]))[0].as_py() in taken:
                local, domain = address.split("@")
                address = f"{local}{int(rng.integers(2, 9999))}@{domain}"
            if address is not None:
                taken.add(tx.gmail_mailbox(tx.text([address]))[0].as_py())
            addresses[row] = address
        setattr(people, name, pa.array(addresses, pa.string()))
