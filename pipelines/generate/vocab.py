"""Swedish vocabulary the generator draws from, kept as plain data.

Everything here is invented or common knowledge (popular first names and surnames, real
street and city names with plausible postcodes); no row describes a real person. Tuples,
not sets, so that drawing from them never depends on hash order.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan", "Hans",
    "Peter", "Olof", "Lennart", "Gunnar", "Sven", "Fredrik", "Daniel", "Bengt", "Magnus",
    "Oskar", "Alexander", "Mattias", "Henrik", "Stefan", "Jonas", "Björn", "Åke", "Göran",
    "Emil", "Viktor", "Hugo", "Axel", "Elias", "Liam", "Noah", "William", "Lucas", "Ludvig",
    "Filip", "Anton", "Gustav", "Isak", "Måns", "Sixten", "Linus", "Ali", "Mohammed",
    "Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Sara", "Kerstin", "Emma",
    "Ingrid", "Marie", "Malin", "Jenny", "Birgitta", "Linnea", "Sofia", "Hanna", "Elin",
    "Johanna", "Ida", "Maja", "Ebba", "Alma", "Astrid", "Saga", "Wilma", "Elsa", "Alice",
    "Frida", "Klara", "Agnes", "Signe", "Märta", "Åsa", "Ulla", "Gunilla", "Camilla",
    "Jessica", "Therese", "Matilda", "Tove", "Linn", "Fatima", "Amira", "Nora", "Stina",
    "Siv", "Britt", "Yvonne", "Helén",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren",
    "Lind", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson",
    "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin",
    "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson",
    "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren",
    "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Mårtensson", "Åberg", "Öberg",
    "Hedlund", "Strand", "Ahmed", "Hassan", "Ali", "Nguyen", "Yilmaz",
)  # fmt: skip

MEETING_GROUPS: tuple[str, ...] = (
    "mamma", "pappa", "teamet", "chefen", "kunden", "styrelsen", "grannarna",
)  # fmt: skip

FAMILY_CONTACTS: tuple[str, ...] = (
    "mamma", "pappa", "mormor", "farfar", "jobbet", "frugan", "min man", "syrran",
    "brorsan", "vårdcentralen", "tandläkaren", "skolan", "förskolan",
)  # fmt: skip

# (city, postcode prefix as three digits, plausible street names)
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Stockholm", "1", ("Drottninggatan", "Götgatan", "Hornsgatan", "Sveavägen",
                         "Odengatan", "Ringvägen", "Fleminggatan", "Folkungagatan")),
    ("Göteborg", "4", ("Storgatan", "Linnégatan", "Avenyn", "Vasagatan",
                        "Övre Husargatan", "Andra Långgatan", "Mölndalsvägen")),
    ("Malmö", "2", ("Södra Förstadsgatan", "Amiralsgatan", "Davidshallsgatan",
                     "Lundavägen", "Bergsgatan", "Stora Nygatan")),
    ("Uppsala", "75", ("Kungsgatan", "Dragarbrunnsgatan", "Svartbäcksgatan",
                        "Luthagsesplanaden", "Sysslomansgatan")),
    ("Västerås", "72", ("Stora Gatan", "Vasagatan", "Kopparbergsvägen", "Sigurdsgatan")),
    ("Örebro", "70", ("Drottninggatan", "Rudbecksgatan", "Fabriksgatan", "Storgatan")),
    ("Linköping", "58", ("Ågatan", "Storgatan", "Drottninggatan", "Klostergatan")),
    ("Helsingborg", "25", ("Kullagatan", "Drottninggatan", "Södra Storgatan")),
    ("Jönköping", "55", ("Östra Storgatan", "Barnarpsgatan", "Västra Storgatan")),
    ("Norrköping", "60", ("Drottninggatan", "Kungsgatan", "Hospitalsgatan")),
    ("Lund", "22", ("Clemenstorget", "Bantorget", "Karl XI:s gata", "Stora Södergatan")),
    ("Umeå", "90", ("Rådhusesplanaden", "Kungsgatan", "Storgatan", "Nygatan")),
    ("Gävle", "80", ("Drottninggatan", "Nygatan", "Norra Kungsgatan")),
    ("Sundsvall", "85", ("Storgatan", "Esplanaden", "Köpmangatan")),
    ("Luleå", "97", ("Storgatan", "Smedjegatan", "Köpmangatan")),
    ("Kiruna", "98", ("Föreningsgatan", "Hjalmar Lundbohmsvägen")),
    ("Visby", "62", ("Adelsgatan", "Hästgatan", "Södra Kyrkogatan")),
    ("Karlstad", "65", ("Drottninggatan", "Östra Torggatan", "Västra Torggatan")),
    ("Växjö", "35", ("Storgatan", "Kungsgatan", "Norra Järnvägsgatan")),
    ("Falun", "79", ("Åsgatan", "Slaggatan", "Trotzgatan")),
)  # fmt: skip

WEATHER_PLACES: tuple[str, ...] = (
    "Stockholm", "Göteborg", "Malmö", "Uppsala", "Umeå", "Kiruna", "Visby", "Åre",
    "Sälen", "Luleå", "Ystad", "Borås", "Strömstad", "Marstrand", "Öland", "Båstad",
)  # fmt: skip

EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "hotmail.com", "outlook.com", "telia.com", "live.se", "icloud.com",
    "yahoo.se", "bredband.net", "spray.se", "firma.se", "kommun.se",
)  # fmt: skip

ROOMS: tuple[str, ...] = (
    "köket", "vardagsrummet", "sovrummet", "hallen", "badrummet", "kontoret",
    "barnrummet", "altanen", "garaget", "tvättstugan", "källaren",
)  # fmt: skip

LIGHT_DEVICES: tuple[str, ...] = (
    "lampan", "taklampan", "golvlampan", "läslampan", "spotlightsen", "ljusslingan",
    "belysningen", "lamporna",
)  # fmt: skip

ARTISTS: tuple[str, ...] = (
    "ABBA", "Robyn", "Håkan Hellström", "Veronica Maggio", "Avicii", "Zara Larsson",
    "Laleh", "Kent", "Lars Winnerbäck", "Miriam Bryant", "First Aid Kit", "Cornelis Vreeswijk",
    "Evert Taube", "Ted Gärdestad", "Tove Lo", "Darin", "Molly Sandén", "Petter",
)  # fmt: skip

MUSIC_MOODS: tuple[str, ...] = (
    "lugn musik", "jazz", "klassisk musik", "julmusik", "dansband", "hiphop",
    "något glatt", "sommarplågor", "träningsmusik", "barnlåtar", "P3", "P1", "Rix FM",
    "lite pod", "Sommar i P1",
)  # fmt: skip

SHOPPING_ITEMS: tuple[str, ...] = (
    "mjölk", "ägg", "smör", "bröd", "kaffe", "bananer", "äpplen", "havregryn", "ost",
    "filmjölk", "knäckebröd", "falukorv", "potatis", "lök", "tomater", "gurka",
    "toalettpapper", "diskmedel", "tvättmedel", "kanelbullar", "lingonsylt", "pasta",
    "kycklingfilé", "laxfilé", "gräddfil", "tacokrydda", "blöjor", "kattmat",
)  # fmt: skip

SHOPPING_LISTS: tuple[str, ...] = ("inköpslistan", "handlingslistan", "listan", "ICA-listan")

MEETING_TITLES: tuple[str, ...] = (
    "möte", "lunch", "fika", "avstämning", "veckomöte", "utvecklingssamtal",
    "tandläkartid", "frisörtid", "middag", "träning", "föräldramöte", "kundmöte",
)  # fmt: skip

MESSAGE_BODIES: tuple[str, ...] = (
    "jag är sen", "jag kommer om tio minuter", "kan du handla mjölk", "ring mig när du kan",
    "grattis på födelsedagen", "vi ses vid stationen", "middagen är klar",
    "jag är hemma vid sex", "glöm inte nycklarna", "tack för igår", "kan du hämta barnen",
    "är du vaken", "jag står i kö", "mötet blev inställt", "hur gick det",
)  # fmt: skip

EMAIL_SUBJECTS: tuple[str, ...] = (
    "fakturan", "mötet på fredag", "offerten", "semesterplaneringen", "rapporten",
    "kvittot", "hyresavtalet", "styrelsemötet", "bokningen", "ansökan",
)  # fmt: skip

DESTINATION_PLACES: tuple[str, ...] = (
    "Centralstationen", "Arlanda", "Landvetter", "Ikea", "närmaste apotek",
    "närmaste mataffär", "Liseberg", "Gröna Lund", "Ullevi", "Friends Arena", "sjukhuset",
    "jobbet", "hem", "Systembolaget", "gymmet", "Kastrup",
)  # fmt: skip

TRAVEL_MODES: tuple[str, ...] = ("bil", "kollektivtrafik", "cykel", "till fots")

NUMBER_WORDS: tuple[tuple[int, str], ...] = (
    (1, "en"), (2, "två"), (3, "tre"), (4, "fyra"), (5, "fem"), (6, "sex"), (7, "sju"),
    (8, "åtta"), (9, "nio"), (10, "tio"), (12, "tolv"), (15, "femton"), (20, "tjugo"),
    (25, "tjugofem"), (30, "trettio"), (45, "fyrtiofem"),
)  # fmt: skip

HOUR_WORDS: tuple[str, ...] = (
    "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv",
)  # fmt: skip

WEEKDAYS: tuple[str, ...] = (
    "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
)  # fmt: skip

MONTHS: tuple[str, ...] = (
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
    "september", "oktober", "november", "december",
)  # fmt: skip

RELATIVE_DAYS: tuple[str, ...] = (
    "idag", "imorgon", "i övermorgon", "ikväll", "i eftermiddag", "i helgen",
    "nästa vecka", "i morgon bitti",
)  # fmt: skip

FEEDBACK_POSITIVE: tuple[str, ...] = (
    "Perfekt, tack!", "Bra svar", "Snabbt och rätt", "Precis vad jag ville", "Toppen",
)  # fmt: skip

FEEDBACK_ANY: tuple[str, ...] = (
    "Du missförstod mig", "Svaret var för långt", "Alldeles för långsamt", "Nej, fel",
    "Det var inte det jag frågade",
)  # fmt: skip

# Complaints that only make sense for one intent family (keyed by the intent prefix).
FEEDBACK_NEGATIVE: dict[str, tuple[str, ...]] = {
    "calendar": ("Fel tid!", "Fel dag", "Det var inte det mötet"),
    "call": ("Den ringde fel nummer", "Det var inte den personen jag menade"),
    "message": ("Fel mottagare", "Meddelandet kom aldrig fram"),
    "home": ("Lampan tändes inte", "Jag sa köket, inte hallen"),
    "weather": ("Fel stad", "Prognosen stämde inte alls"),
    "music": ("Fel låt", "Jag ville höra något annat"),
    "timer": ("Timern ringde aldrig",),
    "alarm": ("Larmet gick inte",),
    "navigation": ("Vägen var fel", "Det tog mycket längre tid"),
    "knowledge": ("Det stämmer inte", "Svaret hjälpte inte"),
}
