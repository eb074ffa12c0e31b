"""Swedish PERSON detection: rules, precision filter, cue, model, presidio wiring, split."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from pipelines.pii import persons_eval
from pipelines.pii.persons import (
    PersonDetector,
    allow_listed_cue,
    build_person_recognizers,
    find_persons,
    heldout_rows,
    person_cue,
    training_rows,
)
from pipelines.pii.persons_lexicon import load_lexicon
from pipelines.pii.persons_model import MODEL_DIR, load_model
from pipelines.pii.persons_rules import PersonRules

CORPUS = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "corpora"
    / ("sv_ner_persons_train.jsonl")
)
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="shared person corpus not present")


def names(text: str) -> list[str]:
    return [text[span.start : span.end] for span in find_persons(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring erik johansson", ["erik johansson"]),
        ("Ring Erik Johansson på jobbet", ["Erik Johansson"]),
        ("boka möte med Anna-Karin på fredag", ["Anna-Karin"]),
        ("ring per-olof nilsson", ["per-olof nilsson"]),
        ("ring Carl-Johan af Klercker", ["Carl-Johan af Klercker"]),
        ("sms:a lisa att maten är klar", ["lisa"]),
        ("jag heter jonas", ["jonas"]),
        ("kan du ringa per när du är klar", ["per"]),
        ("ring björn", ["björn"]),
        ("videosamtal med farmor inga", ["inga"]),
        ("ring zlatan", ["zlatan"]),
        ("vad är kerstins nummer", ["kerstins"]),
        ("bjud in Sofia och Marcus till fikat", ["Sofia", "Marcus"]),
        ("– Vi kom ut starkt, säger förbundskaptenen Franco Bergman.", ["Franco Bergman"]),
        ("Danmarks drottning Margrethe II höll sitt nyårstal.", ["Margrethe II"]),
        ("ring 0701234567 och säg till Per att mötet är flyttat", ["Per"]),
        ("Skicka fakturan till KARIN LINDBERG i dag", ["KARIN LINDBERG"]),
    ],
)
def test_finds_names_in_commands_and_prose(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ring mamma",
        "sms:a pappa att jag kommer vid sex",
        "ring chefen och säg att jag är sjuk",
        "det kostar 100 kr per dag",
        "vi såg en björn i skogen",
        "jag vill bo i Göteborg",
        "vad händer första maj",
        "flytta mötet till maj",
        "hans bil står på gatan",
        "inga problem",
        "God Morgon",
        "Glad Påsk allihop",
        "spela Sveriges Radio P1",
        "hur långt är det till Gamla Stan",
        "när går tåget från Stockholms Central",
        "hur går Volvo Cars aktie idag",
        "vad blir vädret i Lund imorgon",
        "påminn mig om mötet 2025-09-01 kl 10:00",
        "Vi anmälde händelsen enligt Lex Maria.",
        "Albert Bonniers förlag ger ut boken.",
        "Mejla erik@företag.se om fakturan",
        "IBAN DE89370400440532013000",
        "Mitt personnummer är 19800101-1234.",
        "Mark- och miljödomstolen avslog överklagandet.",
    ],
)
def test_does_not_mask_places_organisations_greetings_or_everyday_words(text: str) -> None:
    assert names(text) == []


def test_allow_list_keeps_the_assistant_name_and_is_configurable() -> None:
    assert names("hej Alice, ring erik") == ["erik"]
    assert names("tack Alice") == []
    detector = PersonDetector(allow_list=("Alice", "Erik"))
    found = detector.detect("hej Alice, ring erik och anna")
    assert [("hej Alice, ring erik och anna")[s.start : s.end] for s in found] == ["anna"]


def test_cue_is_cheap_filter_true_for_candidates_false_for_plain_commands() -> None:
    for text in ("ring erik", "Ring Erik", "boka möte med Anna", "Gummesson föll", "ring zlatan"):
        assert person_cue(text), text
    for text in ("ring mamma", "Vad blir vädret imorgon?", "sätt en timer på tio minuter", ""):
        assert not person_cue(text), text


def test_cue_never_hides_a_name_the_detector_would_find() -> None:
    ungated = PersonDetector(use_cue=False, cache_size=0)
    texts = [persons_eval.parse_case(case)[0] for case in persons_eval.COMMAND_CASES]
    texts += [text.lower() for text in texts]
    if CORPUS.exists():
        texts += [str(row["text"]) for row in heldout_rows(CORPUS)[:300]]
    for text, spans in zip(texts, ungated.detect_batch(texts), strict=True):
        if spans:
            assert person_cue(text), text


def test_allow_listed_cue_skips_only_the_assistants_name() -> None:
    cue = allow_listed_cue(["Alice"])
    for text in ("alice tänd lampan", "Hej Alice!", "Alice, vad blir vädret imorgon?"):
        assert person_cue(text) and not cue(text), text
    for text in ("alice ring erik", "Hej Alice, ring Erik", "Alicebo tänd", "ring Alice Svensson"):
        assert cue(text), text
    ungated = PersonDetector(use_cue=False, cache_size=0)
    texts = [persons_eval.parse_case(case)[0] for case in persons_eval.COMMAND_CASES]
    texts += [f"alice {t.lower()}" for t in texts] + [f"Hej Alice, {t}" for t in texts]
    for text, spans in zip(texts, ungated.detect_batch(texts), strict=True):
        if spans:
            assert cue(text), text


def test_cue_with_places_and_allow_list_never_hides_a_name() -> None:
    """The masker's cue (places, organisations and the allow-listed name do not count) on
    held-out news, its lower-cased copy and generated assistant utterances."""
    from pipelines.generate import sample_events

    cue = allow_listed_cue(["Alice"])
    events = sample_events(1500, seed=3)
    texts = [str(e["input"]["text"]) for e in events if "text" in e.get("input", {})]
    texts += ["Meddela Klara att ring mig", "vad blir vädret i Uppsala", "Ring Kiruna-Nisse"]
    if CORPUS.exists():
        held = [str(row["text"]) for row in heldout_rows(CORPUS)]
        texts += held + [text.lower() for text in held]
    ungated = PersonDetector(use_cue=False, cache_size=0)
    for text, spans in zip(texts, ungated.detect_batch(texts), strict=True):
        names = [text[s.start : s.end] for s in spans if text[s.start : s.end] != "Alice"]
        if names:
            assert cue(text), (text, names)
    assert not cue("vad blir vädret i Uppsala") and not cue("Lägg mjölk på ICA-listan")


def test_model_loads_from_the_package_directory_without_download() -> None:
    assert (MODEL_DIR / "config.cfg").exists()
    nlp = load_model()
    assert nlp.lang == "sv" and "ner" in nlp.pipe_names
    assert load_model() is nlp  # loaded once per process


def test_model_finds_names_no_list_or_rule_knows() -> None:
    texts = [
        "Lägg till Srivastava i gruppchatten",
        "boka tid med dr Takayama",
        "säg till Okoro att jag är sen",
    ]
    rules_only = PersonDetector(use_model=False, cache_size=0)
    assert all(rules_only.detect(text) == () for text in texts)
    with_model = PersonDetector(cache_size=0)
    found = with_model.detect_batch(texts)
    assert with_model.model_calls == len(texts)
    assert [
        [text[s.start : s.end] for s in spans] for text, spans in zip(texts, found, strict=True)
    ] == [
        ["Srivastava"],
        ["Takayama"],
        ["Okoro"],
    ]
    assert all(span.source == "model" for spans in found for span in spans)


def test_model_is_skipped_when_rules_explain_every_word() -> None:
    detector = PersonDetector(cache_size=0)
    detector.detect_batch(["ring erik johansson", "ring mamma", "vädret i Göteborg imorgon"])
    assert detector.model_calls == 0


def test_file_references_go_to_the_rules_only() -> None:
    """A producer's audio refs are unique file names: the model saw each one (a third of its
    texts in silver) and judged ids and extensions; listed names in a path are still found."""
    detector = PersonDetector(cache_size=0)
    texts = [
        "tts/t-ab5560c3f82990e6.opus",
        "artifacts/tts/response_042.mp3",
        "artifacts/audio/erik_johansson.wav",
        "Lägg till Srivastava i gruppchatten tts/t-9e3f.opus",
    ]
    found = detector.detect_batch(texts)
    assert [[t[s.start : s.end] for s in spans] for t, spans in zip(texts, found, strict=True)] == [
        [],
        [],
        ["erik", "johansson"],
        ["Srivastava"],
    ]
    assert detector.model_calls == 1  # only the text with a word outside the path


def test_a_bare_address_passes_no_cue_and_finds_what_the_detector_finds() -> None:
    """Producers' input audio refs are URLs ("s3://…/t-3836a9e1.opus"), each one distinct: the
    cue answers them without the rules, which stoplist every word of an address anyway."""
    texts = [
        "s3://alice-audio/2025-09-02/t-3836a9e1f911153d.opus",
        "https://example.com/Erik.Johansson/Anna",
        "erik.johansson@example.com",
        " www.erik-johansson.se ",
    ]
    assert not any(person_cue(t) for t in texts)
    assert not any(allow_listed_cue(["Alice"])(t) for t in texts)  # "s3://alice-audio/…" too
    uncued = PersonDetector(cache_size=0, use_cue=False)
    assert all(found == () for found in uncued.detect_batch(texts))
    assert person_cue("s3://bucket/Anna Svensson.wav")  # two words: the rules judge it
    assert person_cue("mejla erik.johansson@example.com")


def test_presidio_analyzer_with_noop_nlp_engine_finds_persons() -> None:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    registry = RecognizerRegistry(
        recognizers=build_person_recognizers(), supported_languages=["sv"]
    )
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "sv", "model_name": "none"}]),
        supported_languages=["sv"],
    )
    text = "hej Alice, boka möte med Anna-Karin Lindqvist på fredag"
    results = engine.analyze(text=text, language="sv")
    assert [(r.entity_type, text[r.start : r.end]) for r in results] == [
        ("PERSON", "Anna-Karin Lindqvist")
    ]
    assert 0 < results[0].score <= 1


def test_batch_and_single_text_give_identical_results() -> None:
    texts = [persons_eval.parse_case(case)[0] for case in persons_eval.COMMAND_CASES]
    single = [PersonDetector(cache_size=0).detect(text) for text in texts]
    assert PersonDetector(cache_size=0).detect_batch(texts) == single


def test_scores_follow_the_documented_definitions() -> None:
    gold = [[(0, 10), (20, 25)]]
    predicted = [[(0, 5), (5, 10), (30, 35)]]
    result = persons_eval.score(gold, predicted)
    assert result.recall == 0.5  # (0, 10) fully covered by two spans; (20, 25) missed
    assert result.precision == pytest.approx(2 / 3)  # (30, 35) overlaps no gold span


def test_surname_morphology_and_vocabulary() -> None:
    rules = PersonRules(load_lexicon())
    assert rules.surname("wärnelöv") is False
    assert rules.surname("bergqvist") and rules.surname("holmström") and rules.surname("hedlund")
    assert not rules.surname("person")  # an ordinary word that happens to end in -son


def test_split_is_deterministic_disjoint_and_about_fifteen_percent(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    rows = [{"id": f"row/{i}", "text": "x", "spans": []} for i in range(2000)]
    path.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    held = {row["id"] for row in heldout_rows(path)}
    train = {row["id"] for row in training_rows(path)}
    assert held.isdisjoint(train) and len(held | train) == 2000
    assert 0.12 < len(held) / 2000 < 0.18
    path.write_text("\n".join(json.dumps(row) for row in reversed(rows)), encoding="utf-8")
    assert {row["id"] for row in heldout_rows(path)} == held


@needs_corpus
def test_heldout_quality_meets_the_targets() -> None:
    texts, golds = persons_eval.corpus_cases(heldout_rows(CORPUS))
    result = persons_eval.score(golds, persons_eval.kvarn_predictor()(texts))
    assert result.recall >= 0.93
    assert result.precision >= 0.90


@needs_corpus
def test_heldout_lower_cased_quality_does_not_fall_back() -> None:
    """Issue #13 raised lower-cased (ASR-like) held-out recall from 0.823 to 0.870 at
    precision 0.940; this keeps a floor under it (target 0.90 not yet reached)."""
    texts, golds = persons_eval.corpus_cases(heldout_rows(CORPUS), lower=True)
    result = persons_eval.score(golds, persons_eval.kvarn_predictor()(texts))
    assert result.recall >= 0.86
    assert result.precision >= 0.92


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lower-case prose: surnames without a cue, names around them (issue #13)
        ("– ja, jag känner mig bitter nu, sade södergren till tidningen.", ["södergren"]),
        ("lindell och hansdotter var näst snabbast i andra åket.", ["lindell", "hansdotter"]),
        ("konstnären ulla roseen ställer ut i höst.", ["ulla roseen"]),
        ("under tiden ska ridley scott regissera en tv-pilot.", ["ridley scott"]),
        # a listed first name that is also a word, before a found surname (ASR commands)
        ("skicka ett meddelande till björn fransson jag står i kö", ["björn fransson"]),
        ("slå en signal till linnea hedlund", ["linnea hedlund"]),
        ("skicka sms till saga henriksson jag kommer om tio minuter", ["saga henriksson"]),
        # cased prose
        ("Vad som redan är känt är att Jodie Foster tilldelas priset.", ["Jodie Foster"]),
        ("Hovrättsrådet Fredrik Wärsell vill att tiden ska avtjänas utanför.", ["Fredrik Wärsell"]),
        # an elided surname prefix, written apart as in the corpus or as one word
        ("Det sade Massimo D ' Alema i går.", ["Massimo D ' Alema"]),
        ("Shaquille O'Neal gjorde 29 poäng.", ["Shaquille O'Neal"]),
        ("o ' neal gjorde 29 poäng.", ["o ' neal"]),
        # an Arabic article continues a name
        ("Syriens president Bashar al-Assad talade i går.", ["Bashar al-Assad"]),
        # two particles; a name that is also a word before a surname, inside a sentence
        ("Det sade Ursula von der Leyen i går.", ["Ursula von der Leyen"]),
        ("Den rutinerade kriminalkommissarien Dag Andersson tar över.", ["Dag Andersson"]),
        # a one-word non-name after a listed first name is its surname
        ("Stiftelsen förvaltar arvet efter Alfred Nobel sedan 1900.", ["Alfred Nobel"]),
        ("Sedan kom Peter Ericsson till mötet.", ["Peter Ericsson"]),
        # a listed first name is no genitive of a non-name ("Abba")
        ("Den palestinske presidenten Abbas betonade att han ville förhandla.", ["Abbas"]),
    ],
)
def test_issue_13_lower_case_and_prose_names(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "smhi har utfärdat en klass 1-varning för flera län i sydväst upp till uppsala.",
        "de äldsta barnen i fjärde klass hade gymnastik och musik.",
        "men mammas omtanke om dem som hade det svårt präglade mig mycket.",
        "men han var fortfarande den lantbrukarson han alltid varit, sade grannarna.",
        "det kan vara en rätt spirituell känsla, säger hon om den ceremoniell tillställningen.",
        "– Det kan vara så att vi har smittat varandra, säger han till Norrbottens-Kuriren.",
        "Kapitel 3 handlar om Avenyn",
        "det var en coup d'état, sade han.",
        "Vi åt på O'Learys i går.",
        "Det rapporterar egyptiska al-Ahram på nätet.",
    ],
)
def test_issue_13_lower_case_words_that_are_no_names(text: str) -> None:
    assert names(text) == []


def test_a_name_does_not_run_into_a_street() -> None:
    text = "vägbeskrivning till hjalmar lundbohmsvägen 33 i kiruna"
    assert names(text) == ["hjalmar"]


def test_unknown_word_in_apposition_with_an_age_is_a_name() -> None:
    rules_only = PersonDetector(use_model=False, cache_size=0)
    text = "Det bekräftar Wqxtorr, 45 år, för tidningen."
    assert [text[s.start : s.end] for s in rules_only.detect(text)] == ["Wqxtorr"]
    assert rules_only.detect("Priset höjs med 45 år i taget.") == ()
