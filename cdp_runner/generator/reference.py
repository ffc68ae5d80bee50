"""Fixed vocabularies for the synthetic data generator: names, places, products, devices.

Everything here is invented or generic (common given names and surnames, real city names
with their postcode areas); brands and the retailer are fictional. The lists are plain
Python so that the generator's output depends only on this file, the seed and the scale.
"""

from __future__ import annotations

SHOP_URL = "https://www.hartwell.co.uk"

# Given names by country group and gender; the UK list also serves IE and US customers.
FEMALE_NAMES_UK = (
    "Olivia Amelia Isla Ava Emily Sophia Grace Mia Poppy Ella Lily Evie Isabella Sophie Jessica Chloe Charlotte "
    "Katherine Elizabeth Margaret Rebecca Victoria Samantha Jennifer Susan Patricia Deborah Alexandra Abigail "
    "Stephanie Catherine Hannah Lucy Emma Sarah Laura Rachel Claire Helen Amy Zoë Siân Niamh Aoife Megan "
    "Bethany Jade Natalie Louise Joanne Karen Julie Nicola Michelle Gemma Lauren Holly Ruby Freya Daisy"
).split()
MALE_NAMES_UK = (
    "Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas William James Robert "
    "Michael Christopher Alexander Daniel Matthew Anthony Richard Joseph Samuel Benjamin Nicholas Jonathan "
    "Andrew Edward Peter Timothy Gregory Kenneth Philip Ronald Stuart David John Paul Mark Steven Ian Gary "
    "Simon Lee Craig Darren Adam Luke Ryan Callum Connor Liam Seán Owen Rhys Dylan Ethan Joshua"
).split()
FEMALE_NAMES_EU = "Marie Camille Léa Chloé Anna Lena Hannah Laura Sofia Julia Emma Inès Lucía Carmen Sanne Eva".split()
MALE_NAMES_EU = (
    "Jean Pierre Louis Hugo Lukas Jonas Felix Maximilian Paul Daan Sem Lucas Pablo Javier Mateo Luca".split()
)

SURNAMES_UK = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright Walker "
    "White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris "
    "Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
    "Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali "
    "Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher "
    "Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart "
    "Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer "
    "Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart "
    "Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone "
    "Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean "
    "Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman "
    "Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman "
    "Watkins Moss McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle"
).split()
SURNAMES_EU = "Martin Bernard Dubois Durand Lefèvre Müller Schmidt Schneider Fischer Weber Meyer Wagner De Jong Jansen García Fernández López Rossi".split()

# Common nicknames: a CRM duplicate or a typed name often uses one of these.
NICKNAMES = {
    "Robert": "Bob",
    "Katherine": "Kate",
    "William": "Bill",
    "Elizabeth": "Liz",
    "James": "Jim",
    "Margaret": "Maggie",
    "Michael": "Mike",
    "Thomas": "Tom",
    "Christopher": "Chris",
    "Jennifer": "Jenny",
    "Alexander": "Alex",
    "Daniel": "Dan",
    "Matthew": "Matt",
    "Anthony": "Tony",
    "Richard": "Rich",
    "Joseph": "Joe",
    "Samuel": "Sam",
    "Benjamin": "Ben",
    "Nicholas": "Nick",
    "Jonathan": "Jon",
    "Andrew": "Andy",
    "Edward": "Ed",
    "Victoria": "Vicky",
    "Rebecca": "Becky",
    "Charlotte": "Lottie",
    "Olivia": "Liv",
    "Abigail": "Abby",
    "Susan": "Sue",
    "Patricia": "Trish",
    "Deborah": "Debbie",
    "Alexandra": "Lexi",
    "Jessica": "Jess",
    "Samantha": "Sam",
    "Stephanie": "Steph",
    "Catherine": "Cathy",
    "Peter": "Pete",
    "Timothy": "Tim",
    "Gregory": "Greg",
    "Kenneth": "Ken",
    "Philip": "Phil",
    "Ronald": "Ron",
    "Stuart": "Stu",
    "David": "Dave",
    "Steven": "Steve",
    "Isabella": "Bella",
    "Joshua": "Josh",
    "Nicola": "Nicky",
    "Natalie": "Nat",
    "Bethany": "Beth",
    "Maximilian": "Max",
}

# Countries: (ISO code, share of households, calling code, time zone, currency).
COUNTRIES = (
    ("GB", 0.945, "44", "europe_london", "GBP"),
    ("IE", 0.020, "353", "europe_london", "EUR"),
    ("FR", 0.010, "33", "europe_central", "EUR"),
    ("DE", 0.010, "49", "europe_central", "EUR"),
    ("NL", 0.005, "31", "europe_central", "EUR"),
    ("ES", 0.005, "34", "europe_central", "EUR"),
    ("US", 0.005, "1", "us_eastern", "GBP"),
)

# Cities: (name, country, relative population, postcode area or template, latitude, longitude).
# UK templates are postcode areas; other countries use a fixed-pattern template where
# '#' is a digit and '@' an upper-case letter.
CITIES = (
    ("London", "GB", 90, ("E", "N", "SE", "SW", "W", "NW", "EC", "WC"), 51.507, -0.128),
    ("Birmingham", "GB", 11, ("B",), 52.486, -1.890),
    ("Manchester", "GB", 9, ("M",), 53.481, -2.243),
    ("Leeds", "GB", 8, ("LS",), 53.800, -1.549),
    ("Glasgow", "GB", 6, ("G",), 55.864, -4.252),
    ("Sheffield", "GB", 6, ("S",), 53.381, -1.470),
    ("Liverpool", "GB", 5, ("L",), 53.408, -2.992),
    ("Bristol", "GB", 5, ("BS",), 51.455, -2.588),
    ("Edinburgh", "GB", 5, ("EH",), 55.953, -3.188),
    ("Cardiff", "GB", 4, ("CF",), 51.481, -3.179),
    ("Leicester", "GB", 4, ("LE",), 52.637, -1.140),
    ("Nottingham", "GB", 3, ("NG",), 52.954, -1.158),
    ("Newcastle upon Tyne", "GB", 3, ("NE",), 54.978, -1.618),
    ("Belfast", "GB", 3, ("BT",), 54.597, -5.930),
    ("Southampton", "GB", 3, ("SO",), 50.910, -1.404),
    ("Brighton", "GB", 3, ("BN",), 50.822, -0.137),
    ("Reading", "GB", 2, ("RG",), 51.454, -0.978),
    ("Coventry", "GB", 3, ("CV",), 52.407, -1.519),
    ("Oxford", "GB", 2, ("OX",), 51.752, -1.258),
    ("Cambridge", "GB", 2, ("CB",), 52.205, 0.122),
    ("York", "GB", 2, ("YO",), 53.960, -1.087),
    ("Norwich", "GB", 2, ("NR",), 52.630, 1.297),
    ("Exeter", "GB", 1, ("EX",), 50.718, -3.534),
    ("Aberdeen", "GB", 2, ("AB",), 57.150, -2.094),
    ("Plymouth", "GB", 2, ("PL",), 50.376, -4.143),
    ("Derby", "GB", 2, ("DE",), 52.923, -1.476),
    ("Milton Keynes", "GB", 2, ("MK",), 52.041, -0.759),
    ("Swansea", "GB", 2, ("SA",), 51.621, -3.944),
    ("Portsmouth", "GB", 2, ("PO",), 50.805, -1.087),
    ("Bath", "GB", 1, ("BA",), 51.381, -2.359),
    ("Dublin", "IE", 6, "D## @#@#", 53.350, -6.260),
    ("Cork", "IE", 2, "T12 @#@#", 51.898, -8.476),
    ("Paris", "FR", 5, "750##", 48.857, 2.352),
    ("Lyon", "FR", 2, "6900#", 45.764, 4.836),
    ("Berlin", "DE", 4, "10###", 52.520, 13.405),
    ("Munich", "DE", 2, "80###", 48.135, 11.582),
    ("Amsterdam", "NL", 3, "10## @@", 52.370, 4.895),
    ("Madrid", "ES", 3, "280##", 40.417, -3.704),
    ("New York", "US", 4, "100##", 40.713, -74.006),
    ("Boston", "US", 1, "021##", 42.360, -71.059),
)

STREET_NAMES = (
    "High Street",
    "Station Road",
    "Church Road",
    "Main Street",
    "Park Road",
    "Church Lane",
    "London Road",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Church Street",
    "Park Avenue",
    "Queens Road",
    "The Avenue",
    "New Road",
    "Grange Road",
    "Kings Road",
    "School Lane",
    "Mill Lane",
    "North Street",
    "York Road",
    "Alexandra Road",
    "Springfield Road",
    "George Street",
    "Albert Road",
    "Chester Road",
    "Oak Avenue",
    "Windsor Road",
    "Highfield Road",
    "Richmond Road",
    "Mill Road",
    "St John's Road",
    "Stanley Road",
)

EMAIL_DOMAINS = {
    "GB": (
        ("gmail.com", 34),
        ("hotmail.co.uk", 12),
        ("outlook.com", 10),
        ("yahoo.co.uk", 8),
        ("icloud.com", 8),
        ("btinternet.com", 5),
        ("sky.com", 4),
        ("live.co.uk", 4),
        ("virginmedia.com", 3),
        ("aol.com", 2),
        ("hotmail.com", 5),
        ("me.com", 2),
        ("protonmail.com", 1),
        ("talktalk.net", 2),
    ),
    "IE": (("gmail.com", 50), ("eircom.net", 15), ("hotmail.com", 20), ("outlook.ie", 15)),
    "FR": (("gmail.com", 40), ("orange.fr", 25), ("free.fr", 15), ("hotmail.fr", 20)),
    "DE": (("gmx.de", 30), ("web.de", 25), ("gmail.com", 30), ("t-online.de", 15)),
    "NL": (("gmail.com", 50), ("ziggo.nl", 25), ("hotmail.nl", 25)),
    "ES": (("gmail.com", 55), ("hotmail.es", 30), ("yahoo.es", 15)),
    "US": (("gmail.com", 45), ("yahoo.com", 20), ("outlook.com", 20), ("icloud.com", 15)),
}
WORK_EMAIL_DOMAINS = ("nhs.net", "company.co.uk", "council.gov.uk", "uni.ac.uk", "consulting.com", "bank.co.uk")
EMAIL_WORDS = ("sunny", "happy", "blue", "star", "tiger", "rose", "mini", "lucky", "red", "silver", "wild", "cosy")

# Identifiers people type when they do not want to give one; many unrelated records share them.
JUNK_EMAILS = ("test@test.com", "none", "unknown", "n/a", "noemail@noemail.com", "a@a.com", "no@email.com")
JUNK_PHONES = ("0000000000", "n/a", "unknown", "none", "07000000000", "123456", "00000000000")

OCCUPATIONS = (
    "Teacher",
    "teacher",
    "Nurse",
    "Software Engineer",
    "software developer",
    "Accountant",
    "Retired",
    "retired",
    "Student",
    "student",
    "Self-Employed",
    "self employed",
    "Manager",
    "Sales Assistant",
    "Doctor",
    "Civil Servant",
    "Engineer",
    "Designer",
    "Chef",
    "Driver",
    "Consultant",
    "Homemaker",
    "Marketing Manager",
    "Solicitor",
    "Pharmacist",
    "Electrician",
    "Hairdresser",
    "Administrator",
    "admin",
    "Police Officer",
    "Unemployed",
)
INCOME_BANDS = ("<20k", "20-40k", "40-60k", "60-100k", "100k+")
MARITAL_STATUSES = ("single", "married", "divorced", "widowed")

# Catalogue: category -> (subcategory, item noun used in product names, typical price in GBP).
CATEGORIES = {
    "Womenswear": (
        ("Dresses", "Dress", 45),
        ("Tops", "Top", 22),
        ("Knitwear", "Jumper", 38),
        ("Jeans", "Jeans", 40),
        ("Coats", "Coat", 95),
    ),
    "Menswear": (
        ("Shirts", "Shirt", 32),
        ("T-Shirts", "T-Shirt", 16),
        ("Knitwear", "Cardigan", 42),
        ("Trousers", "Chinos", 38),
        ("Jackets", "Jacket", 85),
    ),
    "Footwear": (
        ("Trainers", "Trainers", 60),
        ("Boots", "Boots", 80),
        ("Sandals", "Sandals", 28),
        ("Slippers", "Slippers", 18),
    ),
    "Home": (
        ("Bedding", "Duvet Set", 40),
        ("Kitchen", "Mug Set", 20),
        ("Decor", "Cushion", 25),
        ("Bath", "Towel", 15),
        ("Lighting", "Lamp", 55),
    ),
    "Beauty": (
        ("Skincare", "Moisturiser", 18),
        ("Fragrance", "Eau de Parfum", 48),
        ("Make-up", "Lipstick", 14),
        ("Haircare", "Shampoo", 12),
    ),
    "Accessories": (
        ("Bags", "Tote Bag", 45),
        ("Jewellery", "Necklace", 30),
        ("Watches", "Watch", 110),
        ("Scarves", "Scarf", 20),
        ("Sunglasses", "Sunglasses", 35),
    ),
    "Kids": (("Babywear", "Sleepsuit", 14), ("Toys", "Soft Toy", 18), ("Schoolwear", "Polo Shirt", 12)),
}
CATEGORY_CODES = {
    "Womenswear": "WMN",
    "Menswear": "MEN",
    "Footwear": "FTW",
    "Home": "HOM",
    "Beauty": "BTY",
    "Accessories": "ACC",
    "Kids": "KID",
}
COLOURS = (
    "Navy",
    "Black",
    "Ivory",
    "Sage",
    "Camel",
    "Grey Marl",
    "Rust",
    "Blush",
    "Forest Green",
    "Denim Blue",
    "White",
    "Charcoal",
)
BRANDS = (
    "Hartwell",
    "Hartwell Home",
    "Northvale",
    "Fenwick & Rye",
    "Linden Row",
    "Cobble Lane",
    "Marlow Studio",
    "Ashby",
    "Wren",
    "Thistle",
    "Harbour & Co",
    "Kestrel",
    "Oakham",
    "Saltmarsh",
    "Bramble",
    "Greyfriars",
    "Juniper",
    "Halcyon",
    "Tidewell",
    "Pemberton",
    "Moorland",
    "Little Wren",
    "Albion",
    "Quayside",
)
PRODUCT_ADJECTIVES = (
    "Classic",
    "Essential",
    "Organic Cotton",
    "Relaxed",
    "Slim",
    "Heritage",
    "Everyday",
    "Luxe",
    "Recycled",
    "Soft-Touch",
    "Premium",
    "Linen",
    "Wool Blend",
    "Striped",
    "Printed",
    "Textured",
    "Lightweight",
    "Cosy",
)

# Browser user agents by device type (desktop, mobile, tablet).
USER_AGENTS = {
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    ),
    "mobile": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.6312.99 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 12; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    ),
    "tablet": (
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    ),
}
DEVICE_TYPES = ("desktop", "mobile", "tablet")
BOT_USER_AGENTS = (
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "python-requests/2.31.0",
    "curl/8.4.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/121.0.6167.85 Safari/537.36",
    "Scrapy/2.11.0 (+https://scrapy.org)",
    "Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
    "Go-http-client/1.1",
)
# First octets of data-centre ranges (cloud providers) and of consumer broadband / mobile networks.
DATACENTRE_OCTETS = (3, 18, 34, 35, 44, 52, 54, 104, 138, 157, 167, 185)
BROADBAND_OCTETS = (2, 5, 31, 37, 46, 62, 77, 78, 81, 82, 86, 90, 92, 94, 109, 176, 212, 213)
MOBILE_OCTETS = (31, 82, 85, 92, 148, 176, 193)

APP_VERSIONS = ("4.2.0", "4.3.1", "4.4.0", "4.5.2", "4.6.0", "5.0.1", "5.1.0")

# Campaign sources for web sessions that arrive with UTM tags: (source, medium, campaign).
UTM_TAGS = (
    ("google", "cpc", "brand_search"),
    ("google", "cpc", "generic_search"),
    ("facebook", "paid_social", "spring_collection"),
    ("instagram", "paid_social", "new_in"),
    ("tiktok", "paid_social", "creator_edit"),
    ("awin", "affiliate", "voucher_sites"),
    ("bing", "cpc", "brand_search"),
    ("pinterest", "social", "home_inspiration"),
)

TICKET_CATEGORIES = (
    "order_status",
    "delivery",
    "returns",
    "refund",
    "product_question",
    "account",
    "loyalty",
    "complaint",
)

STORE_SITES = ("High Street", "Westfield", "Retail Park", "Central", "Shopping Centre", "Outlet", "Station", "Old Town")
EMAIL_THEMES = ("newsletter", "new_in", "sale", "weekend_edit", "rewards", "back_in_stock", "gift_guide")
SMS_THEMES = ("flash_sale", "rewards", "store_event", "last_chance")
PUSH_THEMES = ("new_in", "price_drop", "order_update", "rewards")
