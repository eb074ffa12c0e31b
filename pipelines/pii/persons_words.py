"""Word lists and word shapes the Swedish person rules rely on.

Where a list rests on corpus counts, the counts come from the training part of the person
corpus (never the held-out part); the comments quote them.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    """A word set written as one space-separated string (keeps long lists readable)."""
    return frozenset(text.split())


TOKEN = re.compile(r"[^\W_]+(?:[-'’:][^\W_]+)*")
# A run of non-space characters holding an e-mail address or a URL: never a name.
ADDRESS = re.compile(r"\S*(?:@|://|www\.)\S*")
# A file reference ("artifacts/tts/response_042.mp3", "tts/t-9e3f.opus"): a run of non-space
# characters with a path separator that ends in a file extension.
FILE_PATH = re.compile(r"(?<!\S)\S*[/\\]\S*\.[A-Za-z0-9]{2,5}(?!\S)")
# Characters between two tokens that end a sentence or a clause a name cannot span.
BREAK = re.compile(r"[.!?:;\"”“«»()\[\]{}<>–—|/\n\t•*]| - ")
PARTICLES = frozenset(
    {"von", "van", "de", "af", "der", "den", "da", "di", "du", "la", "le", "bin", "ibn", "al", "el"}
)
# Words after "per" that make it the preposition ("per dag", "per telefon").
AFTER_PER = _words(
    "dag dagen vecka veckan månad månaden år året timme timmen minut minuten sekund person "
    "personer styck st kilo kg liter gång gången km mil meter telefon mejl mail post sms "
    "capita automatik omgående natt kväll morgon portion kvadratmeter kvm enhet barn vuxen "
    "elev anställd invånare resenär bil hushåll"
)
# Words after "bo" that make it the verb ("bo i", "bo kvar").
AFTER_BO = _words("i på hos med kvar hemma tillsammans ihop nära där här själv ute")
# Words before an ambiguous name that make it an ordinary word ("en björn", "första maj").
BEFORE_COMMON = _words(
    "en ett den det de i första andra tredje sista nästa förra varje per under sedan till "
    "från om halva hela vår min din sin någon ingen inga vilken"
)

# Endings of compound words that name organisations, places, events and documents
# ("Rikskriminalpolisen", "Trafikverket", "Almedalsveckan"); no Swedish name ends like this.
NON_NAME_ENDINGS = tuple(
    _words(
        "polisen verket förbundet bolaget partiet kommun kommunen regionen landstinget gatan "
        "vägen torget skolan sjukhuset banken huset kyrkan museet teatern institutet "
        "universitetet akademien rådet nämnden inspektionen myndigheten styrelsen kassan "
        "föreningen klubben laget gruppen koncernen fonden stiftelsen departementet domstolen "
        "tingsrätt hovrätten kammaren länet sjön älven fjällen öarna hamnen platsen parken "
        "arenan hallen stadion festivalen priset cupen serien ligan mästerskapen veckan dagen "
        "kriget avtalet fördraget reformen programmet projektet konferensen toppmötet "
        "rapporten utredningen studien gymnasiet biblioteket operan kanalen tidningen bladet "
        "posten nytt kommittén kommitté"
    )
)
# Lower-case words after a genitive that make the span an organisation ("Albert Bonniers förlag").
ORG_HEADS = _words(
    "förlag förlaget stiftelse minnesfond fond gymnasium skola bokhandel konditori bageri "
    "galleri hotell restaurang award prize foundation institute university college hospital "
    "street avenue road square"
)
# An Arabic article joined to a capitalised name part ("al-Assad", "el-Aziz"): after a
# capitalised name part it continues the name (in the training part 8 of 10 such words are
# in a person's name; the other two, "egyptiska al-Ahram" and "Bab al-Salameh", follow no name).
ARABIC_ARTICLE = re.compile(r"^(?:al|el)-[A-ZÅÄÖ][^\W\d_]+$")
# German and Dutch surname particles, which a name keeps when its first name is left out
# ("von Eckermann", "van der Burgh"; in the training part 2 of 2 such capitalised words
# that follow no capitalised word are persons).
GERMANIC_PARTICLES = frozenset({"von", "van"})
SURNAME_PARTICLES = frozenset({"van", "von", "di", "da", "de", "af", "du", "der", "ter"})
# Words before a single capitalised word that make it a place far more often than a person
# (in the training part, 8 of 437 single capitalised words after "i" were persons).
LOCATIVE = frozenset({"i", "på", "vid", "utanför", "inom", "nära", "mellan", "mot", "staden"})
# "säger han till Norrbottens-Kuriren", "berättar hon för Resumé": after a reporting verb,
# "till"/"för" names the medium the person spoke to.
SPOKE_TO = _words("säger sade sa berättar uppger förklarar skriver")
# Endings of Swedish place names ("Storvreta", "Saltsjö-Duvnäs", "Kelowna" aside).
PLACE_SHAPE = re.compile(
    r"^\w{2,}(?:vreta|näs|vik|viken|by|byn|torp|ås|åsen|sjö|köping|hamn|stad|fors|berga|"
    r"dal|dalen|ryd|red|sund|öra|lid|bro|holmen|udden|hult|boda|måla|ränna|landet|heden)$"
)
# Finnish surname endings ("Salminen", "Hirvonen", "Leppänen", "Hämäläinen"); "-ionen" is a
# Swedish noun ending ("Oppositionen"). In the training part 6 of 7 capitalised words of this
# shape that are no definite noun (see ``PersonRules.finnish_surname``) are persons.
FINNISH_SURNAME = re.compile(r"^[^\W\d_]{3,}(?<!i)[aeiouyäö]nen$")
# Swedish and German surnames in -man ("Bäckman", "Ygeman", "Lieberman"), at most ten
# letters: in the training part 22 of 26 capitalised such words that end in no ordinary
# word are persons; two others are longer compounds ("Idrottsombudsman", "Pressombudsman"),
# one is "Lehman" (Brothers, a listed non-name phrase).
MAN_SURNAME = re.compile(r"^[^\W\d_]{3,7}man$")
ROMAN = re.compile(r"^[IVX]{1,4}$")
AGE_ENDINGS = ("-åriga", "-årige", "-årig", "åriga", "årige")
# Words right before an unknown capitalised word that make it a person's name in prose:
# reporting verbs ("säger Ketil Torp": 115 of 121 such words are names in the training part)
# and titles ("förbundskaptenen Franco Bergman", "president Obama").
PERSON_TITLES = _words(
    "säger sade sa berättar förklarar konstaterar menar tycker skriver frågar svarar "
    "fortsätter understryker påpekar betonar tillägger framhåller hävdar uppger "
    "berättade förklarade konstaterade menade tyckte skrev frågade svarade fortsatte "
    "underströk påpekade betonade tillade framhöll hävdade uppgav "
    "president presidenten vd vd:n ordförande ordföranden minister ministern statsminister "
    "statsministern premiärminister premiärministern förbundskapten förbundskaptenen "
    "tränare tränaren kapten kaptenen lagkapten lagkaptenen professor professorn doktor "
    "forskare forskaren författare författaren journalisten artisten sångerskan sångaren "
    "skådespelaren skådespelerskan regissören advokaten åklagaren talesperson "
    "talespersonen pressekreterare pressekreteraren biskop biskopen kung kungen drottning "
    "drottningen prins prinsen prinsessan kronprinsessan spelaren målvakten anfallaren "
    "mittfältaren partiledaren borgmästaren senator senatorn guvernör guvernören general "
    "generalen kommissarie kommunalrådet riksdagsledamoten ledamoten talmannen "
    "kollegan maken makan hustrun sonen dottern brodern systern sir dame"
)
# British honorifics: capitalised, they are part of the name ("Sir Bradley").
HONORIFICS = frozenset({"sir", "dame"})
NAME_CONTEXT = PERSON_TITLES | frozenset(
    # a nationality noun in apposition: "tysken Jürgen Stark", "argentinaren Guillermo Coria"
    # (in the training part, 17 of 17 capitalised words after one are persons)
    _words(
        "tysken tyskan norrmannen norskan dansken danskan svensken svenskan finländaren "
        "finländskan finnen amerikanen amerikanskan britten brittiskan engelsmannen "
        "fransmannen fransyskan spanjoren spanskan italienaren italienskan ryssen ryskan "
        "polacken holländaren nederländaren belgaren schweizaren österrikaren kanadensaren "
        "brasilianaren argentinaren mexikanen chilenaren colombianen peruanen uruguayaren "
        "venezuelanen kubanen jamaicanen kroaten serben bosniern slovenen albanen tjecken "
        "slovaken ungraren rumänen bulgaren greken turken portugisen irländaren skotten "
        "islänningen estländaren letten litauern ukrainaren vitryssen georgiern japanen "
        "kinesen koreanen sydkoreanen indiern pakistaniern afghanen iraniern irakiern "
        "syriern libanesen israelen palestiniern egyptiern marockanen tunisiern algeriern "
        "etiopiern eritreanen somaliern kenyanen nigerianen ghananen kamerunen senegalesen "
        "sydafrikanen australiensaren nyzeeländaren thailändaren vietnamesen filippinaren "
        "indonesiern"
    )
)
TITLE_ENDINGS = (
    "chef",
    "chefen",
    "ledare",
    "ledaren",
    "minister",
    "ministern",
    "ordförande",
    "kaptenen",
    "tränaren",
    "sekreterare",
    "sekreteraren",
    "direktör",
    "direktören",
    "experten",
    "analytikern",
    "forskaren",
    "läkaren",
    "professor",
    "ansvarige",
)

# A compound ending in one of NAME_CONTEXT's definite person nouns ("Atalanta-målvakten",
# "landslagsanfallaren", "chefsåklagaren") is a title too: in the training part, 18 of 18
# capitalised words after such a compound (not itself in NAME_CONTEXT) are persons.
# Nationality nouns stay out ("toaletten" ends in "letten").
PERSON_NOUN_ENDINGS = tuple(
    sorted(word for word in PERSON_TITLES if len(word) >= 6 and word.endswith("n"))
)


def title_compound(folded: str) -> bool:
    """A title or person noun before a name: a NAME_CONTEXT word, a title ending
    ("-chefen", "-ministern") or a compound of a definite person noun ("HV71-målvakten")."""
    return (
        folded in NAME_CONTEXT
        or (len(folded) > 6 and folded.endswith(TITLE_ENDINGS))
        or (len(folded) > 8 and folded.endswith(PERSON_NOUN_ENDINGS))
    )


# Definite/plural noun and verb endings: an unknown lower-case word ending like this is a noun
# or a verb ("observatoriet", "mottagningen", "avskedas"), not a name.
NOUN_ENDINGS = ("et", "en", "na", "as", "ade", "ande", "ende", "ens", "ets", "ares")


NON_NAME_COMPOUND = re.compile(
    r"^\w{3,}(?:" + "|".join(sorted(NON_NAME_ENDINGS, key=len, reverse=True)) + r")$"
)


def non_name_compound(folded: str) -> bool:
    """A compound such as "Rikskriminalpolisen" or "Almedalsveckan"."""
    return NON_NAME_COMPOUND.match(folded) is not None
