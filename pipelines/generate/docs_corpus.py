"""The small Swedish RAG document set that generated `rag.hits` refer to.

Each document is a short help or knowledge page of the kind an assistant retrieves from; its
id is the file stem under `docs/`. The questions are how users ask for it, so a knowledge
turn's query, its hits and its answer agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Doc:
    """One retrievable document and the questions that should retrieve it."""

    doc_id: str
    title: str
    body: str
    questions: tuple[str, ...]
    answer: str


DOCS: tuple[Doc, ...] = (
    Doc("hjalp-timer", "Timers och larm",
        "Du kan ställa flera timers samtidigt och ge dem namn, till exempel 'pastatimer'. "
        "Säg 'hur lång tid är kvar' för att höra återstående tid. Larm kan upprepas varje "
        "vardag och stängs av med 'stoppa larmet'.",
        ("hur ställer jag flera timers samtidigt", "kan man döpa en timer",
         "hur får jag larmet att upprepas varje vardag"),
        "Du kan ha flera timers samtidigt och ge dem namn, till exempel pastatimer."),
    Doc("hjalp-lampor", "Styra lampor",
        "Alice styr lampor som är kopplade via hemappen. Lampor grupperas per rum, så "
        "'släck i köket' släcker alla lampor där. Dimning anges i procent.",
        ("hur kopplar jag en ny lampa", "kan jag dimma lamporna", "hur skapar jag ett rum i appen"),
        "Lägg till lampan i hemappen och välj ett rum, sedan kan du styra den med rösten."),
    Doc("hjalp-kalender", "Kalender och möten",
        "Alice kan boka, flytta och ta bort möten i den kalender du kopplat. Inbjudningar "
        "skickas till kontakter som har en e-postadress sparad. Säg 'vad har jag imorgon' "
        "för att höra dagens möten.",
        ("hur kopplar jag min kalender", "kan alice skicka mötesinbjudningar",
         "hur tar jag bort ett möte"),
        "Koppla kalendern under Konton i appen, sedan kan jag boka och flytta möten åt dig."),
    Doc("hjalp-meddelanden", "Skicka sms och meddelanden",
        "Meddelanden skickas från din telefon via appen. Alice läser upp meddelandet innan "
        "det skickas om du inte har stängt av bekräftelser.",
        ("hur stänger jag av bekräftelse innan sms", "varför läser alice upp mina sms",
         "kan alice skicka meddelanden på whatsapp"),
        "Jag läser upp meddelandet innan det skickas; det kan du stänga av i inställningarna."),
    Doc("hjalp-samtal", "Ringa samtal",
        "Säg 'ring' följt av ett namn eller ett nummer. Finns flera nummer för samma "
        "kontakt frågar Alice vilket du menar. Nödsamtal till 112 kan alltid ringas.",
        ("kan alice ringa 112", "hur väljer jag vilket nummer alice ringer",
         "kan jag ringa utlandssamtal"),
        "Säg ring och ett namn eller nummer; 112 kan du alltid ringa."),
    Doc("hjalp-musik", "Musik och radio",
        "Alice spelar musik från kopplade tjänster och svensk radio. Du kan välja rum, "
        "höja och sänka volymen och be om nästa låt.",
        ("vilka musiktjänster fungerar", "hur spelar jag musik i flera rum",
         "kan alice spela radio"),
        "Jag kan spela från kopplade musiktjänster och svensk radio, i ett eller flera rum."),
    Doc("hjalp-inkopslista", "Inköpslistor",
        "Listor delas med hushållet i appen. Säg 'lägg till mjölk på inköpslistan' eller "
        "'vad står på listan'. Varor kan bockas av i appen.",
        ("hur delar jag inköpslistan", "kan flera i familjen använda samma lista",
         "hur tömmer jag listan"),
        "Bjud in hushållet i appen, så delar ni samma inköpslista."),
    Doc("hjalp-integritet", "Integritet och inspelningar",
        "Röstinspelningar sparas i högst 30 dagar och används bara för träning om du har "
        "gett samtycke. Du kan radera din historik när som helst under Integritet.",
        ("hur länge sparas mina inspelningar", "hur raderar jag min historik",
         "används mina samtal för träning"),
        "Inspelningar sparas högst 30 dagar och används för träning bara med ditt samtycke."),
    Doc("hjalp-samtycke", "Samtycke till träning",
        "Under Integritet kan du välja om dina samtal får användas för att förbättra "
        "Alice. Återkallar du samtycket används inga nya data för träning.",
        ("hur återkallar jag mitt samtycke", "vad betyder samtycke till träning",
         "kan jag säga nej till att mina data används"),
        "Du kan återkalla samtycket under Integritet; då används inga nya data för träning."),
    Doc("hjalp-abonnemang", "Abonnemang och pris",
        "Grundversionen är gratis. Plus kostar 49 kronor i månaden och ger längre svar, "
        "fler rum och prioriterad kundtjänst. Abonnemanget sägs upp i appen.",
        ("vad kostar plus", "hur säger jag upp abonnemanget", "vad ingår i gratisversionen"),
        "Plus kostar 49 kronor i månaden och sägs upp i appen."),
    Doc("hjalp-wifi", "Anslutning och wifi",
        "Högtalaren behöver 2,4 GHz-wifi. Lyser ringen orange saknas anslutning; håll "
        "knappen intryckt i tio sekunder för att starta om parkopplingen.",
        ("varför lyser högtalaren orange", "hur byter jag wifi på högtalaren",
         "högtalaren hittar inte nätverket"),
        "Orange ring betyder att anslutningen saknas; håll knappen i tio sekunder och koppla om."),
    Doc("hjalp-losenord", "Byta lösenord",
        "Lösenordet byts under Konto i appen. Har du glömt det skickas en länk till din "
        "e-postadress. Tvåstegsverifiering rekommenderas.",
        ("hur byter jag lösenord", "jag har glömt mitt lösenord",
         "hur slår jag på tvåstegsverifiering"),
        "Byt lösenord under Konto i appen; har du glömt det får du en länk via e-post."),
    Doc("hjalp-roster", "Röster och språk",
        "Alice talar svenska och kan byta mellan tre röster. Talhastigheten kan sänkas "
        "för den som vill ha lugnare uppläsning.",
        ("kan jag byta röst", "kan alice prata långsammare", "vilka språk kan alice"),
        "Du kan välja mellan tre svenska röster och sänka talhastigheten i inställningarna."),
    Doc("hjalp-rutiner", "Rutiner",
        "En rutin kör flera saker på ett kommando, till exempel 'godmorgon' som tänder "
        "lamporna, läser vädret och startar radion.",
        ("hur gör jag en morgonrutin", "vad är en rutin", "kan en rutin tända lamporna"),
        "Skapa en rutin i appen, till exempel godmorgon som tänder lamporna och läser vädret."),
    Doc("hjalp-navigering", "Vägbeskrivningar",
        "Alice beräknar restid med bil, kollektivtrafik, cykel eller till fots och kan "
        "skicka vägen till telefonen.",
        ("kan alice visa vägen på telefonen", "hur får jag restid med buss",
         "vilka färdsätt finns"),
        "Jag kan räkna restid med bil, kollektivtrafik, cykel eller till fots."),
    Doc("hjalp-epost", "E-post",
        "Alice kan läsa upp olästa mejl och skicka korta svar. Bilagor läses inte upp.",
        ("kan alice läsa mina mejl", "kan jag skicka bilagor", "hur kopplar jag mejlen"),
        "Jag kan läsa upp olästa mejl och skicka korta svar, men inte bilagor."),
    Doc("hjalp-barnlage", "Barnläge",
        "Barnläget filtrerar svar, stänger av köp och begränsar samtal till favoriter.",
        ("finns det barnläge", "hur stänger jag av köp", "kan barnen ringa vem som helst"),
        "Barnläget filtrerar svar, stänger av köp och tillåter bara samtal till favoriter."),
    Doc("hjalp-felkoder", "Felkoder",
        "Fel 503 betyder att en tjänst är tillfälligt nere. Fel 401 betyder att kontot "
        "behöver loggas in på nytt. Vid tidsgräns försöker Alice igen en gång.",
        ("vad betyder fel 503", "vad betyder fel 401", "varför får jag tidsgräns"),
        "503 betyder att tjänsten är tillfälligt nere, 401 att du behöver logga in igen."),
    Doc("kunskap-midsommar", "Midsommar",
        "Midsommarafton firas fredagen mellan 19 och 25 juni med midsommarstång, sill, "
        "nypotatis och jordgubbar. Dagen är inte en lagstadgad helgdag men de flesta är lediga.",
        ("när är midsommar", "vad äter man på midsommar", "är midsommarafton en helgdag"),
        "Midsommarafton är fredagen mellan 19 och 25 juni."),
    Doc("kunskap-lucia", "Lucia",
        "Lucia firas den 13 december med luciatåg, lussekatter och sånger som Sankta Lucia.",
        ("när är lucia", "vad äter man på lucia", "vad sjunger man på lucia"),
        "Lucia firas den 13 december med luciatåg och lussekatter."),
    Doc("kunskap-allemansratten", "Allemansrätten",
        "Allemansrätten ger alla rätt att vistas i naturen, men inte att störa eller "
        "förstöra. Tälta en natt går bra om du inte är nära ett hus.",
        ("vad får man göra enligt allemansrätten", "får man tälta var som helst",
         "får man plocka svamp i skogen"),
        "Du får vistas i naturen och tälta en natt, men inte störa eller förstöra."),
    Doc("kunskap-pant", "Pant på burkar och flaskor",
        "Pantburkar ger 1 krona och större petflaskor 2 kronor. Panta i butikens "
        "pantmaskin.",
        ("hur mycket är panten på en burk", "var pantar jag flaskor",
         "vad ger en petflaska i pant"),
        "En burk ger 1 krona och en stor petflaska 2 kronor i pant."),
    Doc("kunskap-deklaration", "Deklaration",
        "Inkomstdeklarationen ska vara inlämnad senast den 2 maj. Den som deklarerar "
        "digitalt före början av april kan få skatteåterbäring redan i april.",
        ("när ska deklarationen vara inne", "när kommer skatteåterbäringen",
         "hur deklarerar jag digitalt"),
        "Deklarationen ska vara inne senast den 2 maj."),
    Doc("kunskap-pass", "Pass och id-kort",
        "Pass ansöks hos Polisen efter tidsbokning. Ett pass gäller i fem år. Ta med "
        "giltig id-handling till besöket.",
        ("hur förnyar jag passet", "hur länge gäller ett pass", "var ansöker man om pass"),
        "Du bokar tid hos Polisen och passet gäller i fem år."),
    Doc("kunskap-1177", "Vård via 1177",
        "Ring 1177 för sjukvårdsrådgivning dygnet runt. Vid livshotande tillstånd ring 112. "
        "Tider på vårdcentralen bokas ofta via 1177 med BankID.",
        ("vilket nummer ringer jag för sjukvårdsrådgivning", "hur bokar jag tid på vårdcentralen",
         "när ska man ringa 112"),
        "Ring 1177 för rådgivning dygnet runt och 112 vid livshotande tillstånd."),
    Doc("kunskap-sopsortering", "Sopsortering",
        "Matavfall läggs i den bruna påsen, förpackningar sorteras efter material och "
        "batterier lämnas i batteriholkar eller på återvinningscentralen.",
        ("var slänger jag batterier", "hur sorterar jag matavfall", "var lämnar man elavfall"),
        "Batterier lämnas i batteriholkar och matavfall i den bruna påsen."),
    Doc("kunskap-sl", "Kollektivtrafik i Stockholm",
        "Biljetter till SL köps i appen eller med kontaktlöst kort. En enkelbiljett gäller "
        "i 75 minuter.",
        ("hur länge gäller en sl biljett", "hur köper jag biljett till tunnelbanan",
         "kan jag blippa kortet i spärren"),
        "En enkelbiljett gäller i 75 minuter och köps i appen eller med kontaktlöst kort."),
    Doc("kunskap-vasttrafik", "Kollektivtrafik i Västsverige",
        "Västtrafiks biljetter köps i appen To Go. Spårvagnarna i Göteborg går tätt dagtid.",
        ("hur köper jag biljett i göteborg", "vilken app använder västtrafik",
         "går spårvagnen på natten"),
        "Biljetter till Västtrafik köper du i appen To Go."),
    Doc("kunskap-systembolaget", "Systembolaget",
        "Systembolaget har öppet vardagar till 19 eller 20 och lördagar till 15. Söndagar "
        "är det stängt. Åldersgränsen är 20 år.",
        ("när stänger systembolaget", "har systemet öppet på söndag",
         "hur gammal måste man vara på systemet"),
        "Systembolaget stänger 19 eller 20 på vardagar och 15 på lördagar; söndag är stängt."),
    Doc("kunskap-helgdagar", "Helgdagar i Sverige",
        "Röda dagar är bland annat nyårsdagen, trettondedag jul, långfredagen, påskdagen, "
        "första maj, Kristi himmelfärd, nationaldagen den 6 juni och juldagen.",
        ("vilka är röda dagar", "är nationaldagen ledig", "när är trettondedag jul"),
        "Nationaldagen den 6 juni är röd dag, liksom bland annat första maj och juldagen."),
    Doc("kunskap-sommartid", "Sommartid",
        "Sommartid börjar sista söndagen i mars, då klockan ställs fram en timme, och slutar "
        "sista söndagen i oktober.",
        ("när ställer vi om klockan", "när börjar sommartid", "ska klockan fram eller tillbaka"),
        "Sommartid börjar sista söndagen i mars och slutar sista söndagen i oktober."),
    Doc("kunskap-kanelbulle", "Kanelbullens dag",
        "Kanelbullens dag firas den 4 oktober. En klassisk bulle bakas med kardemumma i degen "
        "och pärlsocker på toppen.",
        ("när är kanelbullens dag", "hur bakar man kanelbullar", "vad är pärlsocker"),
        "Kanelbullens dag är den 4 oktober."),
    Doc("kunskap-fika", "Fika",
        "Fika är en paus med kaffe och något sött, ofta mitt på förmiddagen eller eftermiddagen.",
        ("vad är fika", "när fikar svenskar", "vad äter man till fika"),
        "Fika är en kaffepaus med något gott, gärna en bulle."),
    Doc("kunskap-vabb", "Vård av barn",
        "Vab anmäls till Försäkringskassan samma dag som du är hemma med sjukt barn. "
        "Ersättningen är knappt 80 procent av lönen upp till ett tak.",
        ("hur anmäler jag vab", "hur mycket får man i vab", "när ska vab anmälas"),
        "Vab anmäler du till Försäkringskassan, ersättningen är knappt 80 procent av lönen."),
    Doc("kunskap-elpris", "Elpris och elområden",
        "Sverige är indelat i fyra elområden, SE1 till SE4. Priset är ofta högst i SE4 i söder.",
        ("varför är elen dyrare i skåne", "vilka elområden finns", "vilket elområde bor jag i"),
        "Sverige har fyra elområden och priset är ofta högst i SE4 i söder."),
    Doc("kunskap-bankid", "BankID",
        "BankID används för att legitimera sig digitalt. Dela aldrig en kod och "
        "legitimera dig aldrig på uppmaning av någon som ringer dig.",
        ("vad är bankid", "någon ringer och ber mig logga in med bankid", "hur skaffar jag bankid"),
        "Legitimera dig aldrig med BankID för någon som ringer dig; det är ett vanligt bedrägeri."),
    Doc("kunskap-vinterdack", "Vinterdäck",
        "Vinterdäck är krav från 1 december till 31 mars vid vinterväglag. Dubbdäck får "
        "användas från 1 oktober till 15 april.",
        ("när måste jag byta till vinterdäck", "när får man ha dubbdäck",
         "när ska sommardäcken på"),
        "Vinterdäck krävs 1 december till 31 mars vid vinterväglag."),
    Doc("kunskap-recept-kottbullar", "Köttbullar",
        "Köttbullar görs av blandfärs, ströbröd, mjölk, ägg och lök. Servera med "
        "potatismos, gräddsås och lingonsylt.",
        ("hur gör man köttbullar", "vad serverar man till köttbullar", "vad är i köttbullar"),
        "Blanda färs, ströbröd, mjölk, ägg och lök; servera med mos, sås och lingon."),
    Doc("kunskap-semla", "Semlor",
        "Semlor äts traditionellt på fettisdagen, som infaller i februari eller mars, "
        "sju veckor före påsk.",
        ("när är fettisdagen", "när äter man semlor", "vad är en semla"),
        "Fettisdagen infaller sju veckor före påsk, i februari eller mars."),
    Doc("kunskap-krisinformation", "Krisinformation",
        "Viktigt meddelande till allmänheten sänds i radio och via tyfoner. Signalen testas "
        "första helgfria måndagen i mars, juni, september och december klockan 15.",
        ("när testas hesa fredrik", "vad gör jag om signalen ljuder",
         "var hittar jag krisinformation"),
        "Signalen testas klockan 15 första helgfria måndagen i mars, juni, september "
        "och december."),
)  # fmt: skip

DOC_IDS: tuple[str, ...] = tuple(d.doc_id for d in DOCS)


def render_doc(doc: Doc) -> str:
    """Markdown text of one document as written to `docs/<doc_id>.md`."""
    return f"# {doc.title}\n\n{doc.body}\n"


def write_docs(out_dir: Path) -> int:
    """Write every document to `out_dir/<doc_id>.md`; returns how many were written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for doc in DOCS:
        (out_dir / f"{doc.doc_id}.md").write_bytes(render_doc(doc).encode("utf-8"))
    return len(DOCS)
