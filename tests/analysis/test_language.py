"""Language detection: English chat shorthand stays English (or undetermined), short or unclear
text is undetermined, the five other pattern languages and uncovered ones get their own codes.

Every text here is synthetic everyday chat written for these tests; cue phrases are the kind
public safeguarding guidance quotes.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.analysis import language
from vigil.analysis.engine import default_engine
from vigil.analysis.language import (
    ENGLISH,
    MAX_CHARS,
    UNDETERMINED,
    Language,
    detect,
    english_share,
)

ENGLISH_CHAT = [
    "hey wat r u up 2 lol",
    "asl?",
    "u there? brb",
    "lol ok c u l8r",
    "omg thats so funny haha",
    "wyd rn",
    "idk tbh ngl",
    "gg wp that was close",
    "ur so annoying lmao",
    "k np ttyl",
    "hbu? im bored af",
    "can u send me the link pls",
    "nah im good thx",
    "r u coming 2moro or nah",
    "lmk when ur free",
    "ya same here lol",
    "wanna play fortnite later?",
    "gr8 see ya b4 school",
    "sry was afk",
    "ikr its so dumb",
    "hows ur day been",
    "i cant rn my mom is home",
    "add me on snap",
    "whats ur insta",
    "bruh moment fr fr",
    "no cap thats insane 😂😂",
    "lowkey hungry rn",
    "ily sis ❤️",
    "cant wait 4 the wkend",
    "gtg mum is calling",
    "r u on xbox 2nite",
    "get rekt noob",
    "send me ur roblox user",
    "cu at 4 by the gate",
    "where ru",
    "tbh idc",
    "did u do the hw",
    "nah copying urs tmrw lol",
    "sry phone died",
    "y tho",
    "idek anymore",
    "ok np",
    "ded 💀",
    "merci lol thats all the french i know",
    "jose and maria r coming too",
]

ENGLISH_LONG = (
    "hey how was school today? mine was so boring, we had maths and then a test in science.\n"
    "i was thinking we could go to the cinema on saturday if ur parents say its ok\n"
    "my mum says i have to finish my homework before i can play online tonight\n"
    "did you see the new episode? i cant believe what happened at the end lol"
)

CONVERSATIONS = {
    "de": [
        "hey wie gehts dir heute?",
        "was machst du gerade",
        "hab keine lust auf schule morgen",
        "wir sehen uns morgen nach der schule",
        "kannst du mir bei den hausaufgaben helfen",
        "das spiel gestern war echt krass",
    ],
    "fr": [
        "salut ça va?",
        "tu fais quoi là",
        "j'ai pas envie d'aller en cours demain",
        "on se voit demain après les cours",
        "tu peux m'aider pour les devoirs",
        "le match d'hier était ouf",
    ],
    "es": [
        "hola que tal?",
        "que haces ahora",
        "no tengo ganas de ir al cole mañana",
        "nos vemos mañana despues de clase",
        "me ayudas con los deberes",
        "el partido de ayer estuvo genial",
    ],
    "nl": [
        "hoi hoe gaat het?",
        "wat ben je aan het doen",
        "heb geen zin in school morgen",
        "we zien elkaar morgen na school",
        "kun je me helpen met huiswerk",
        "de wedstrijd van gisteren was echt vet",
    ],
    "pl": [
        "hej co tam?",
        "co robisz teraz",
        "nie chce mi się iść do szkoły jutro",
        "widzimy się jutro po szkole",
        "pomożesz mi z lekcjami",
        "wczorajszy mecz był super",
    ],
    "it": [
        "ciao come stai?",
        "che fai adesso",
        "non ho voglia di andare a scuola domani",
        "ci vediamo domani dopo la scuola",
        "mi aiuti con i compiti",
        "la partita di ieri era bellissima",
    ],
    "pt": [
        "oi tudo bem?",
        "o que você está fazendo",
        "não quero ir pra escola amanhã",
        "a gente se vê amanhã depois da aula",
        "você me ajuda com a lição de casa",
        "o jogo de ontem foi muito bom",
    ],
    "tr": [
        "selam nasılsın?",
        "ne yapıyorsun şimdi",
        "yarın okula gitmek istemiyorum",
        "yarın okuldan sonra görüşürüz",
        "ödevlerime yardım eder misin",
        "dünkü maç çok güzeldi",
    ],
}


def test_the_interface_other_code_relies_on() -> None:
    result = detect(ENGLISH_LONG)
    assert isinstance(result, Language)
    assert result == Language(ENGLISH, result.confidence)
    assert 0.5 <= result.confidence <= 1
    assert UNDETERMINED == "und"


@pytest.mark.parametrize("line", ENGLISH_CHAT)
def test_english_chat_shorthand_is_never_another_language(line: str) -> None:
    assert detect(line).code in (ENGLISH, UNDETERMINED)


def test_english_chat_conversations_are_english_or_undetermined() -> None:
    rng = random.Random(7)
    codes = []
    for size in (1, 2, 3, 4, 6, 8) * 40:
        text = "\n".join(rng.sample(ENGLISH_CHAT, size))
        codes.append(detect(text).code)
    assert set(codes) <= {ENGLISH, UNDETERMINED}
    long_ones = [detect("\n".join(rng.sample(ENGLISH_CHAT, 12))).code for _ in range(50)]
    assert long_ones.count(ENGLISH) >= 45


def test_english_prose_and_chat_are_english() -> None:
    assert detect(ENGLISH_LONG).code == ENGLISH
    assert detect("\n".join(ENGLISH_CHAT)).code == ENGLISH


@pytest.mark.parametrize("code", sorted(CONVERSATIONS))
def test_each_language_gets_its_own_code(code: str) -> None:
    lines = CONVERSATIONS[code]
    result = detect("\n".join(lines))
    assert result.code == code
    assert result.confidence >= 0.6
    long = "\n".join(lines * 30)
    assert len(long) > MAX_CHARS  # read as three slices
    assert detect(long).code == code


@pytest.mark.parametrize("code", sorted(CONVERSATIONS))
def test_short_texts_are_undetermined_or_right(code: str) -> None:
    for line in CONVERSATIONS[code][:3]:
        assert detect(line).code in (code, UNDETERMINED), line


def test_languages_without_patterns_are_reported_as_such() -> None:
    covered = default_engine().languages
    assert {"en", "de", "fr", "es", "nl", "pl"} <= covered
    for code in ("it", "pt", "tr"):
        assert code not in covered
        assert detect("\n".join(CONVERSATIONS[code])).code == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n  ",
        "ok",
        "lol",
        "😀😀😀",
        "12345 678",
        "https://example.org/watch?v=abc",
        "hola",
        "ciao",
        "?!",
    ],
)
def test_short_or_unclear_text_is_undetermined(text: str) -> None:
    assert detect(text) == Language(UNDETERMINED, 0.0)


@pytest.mark.parametrize(
    "noise", ["\x00", "\x01\x02", "\x85", "\ud800", "\ufffe", "\U0010ffff", "\u200b"]
)
def test_characters_the_detector_rejects_do_not_raise(noise: str) -> None:
    text = ENGLISH_LONG.replace(" ", noise + " ", 5)
    assert detect(text).code == ENGLISH
    assert detect(noise * 10).code == UNDETERMINED


def test_links_and_handles_do_not_decide_the_language() -> None:
    links = " ".join(f"https://www.example.com/{w}" for w in CONVERSATIONS["de"])
    german = "\n".join(CONVERSATIONS["de"])
    assert detect(f"{links}\n{german}\n{links}").code == "de"
    assert detect("@jake_07 @amy.b user@example.org").code == UNDETERMINED


def test_the_english_guard_reads_english_chat_words() -> None:
    assert english_share("hbu? im bored af lol") >= 0.5
    assert english_share("\n".join(CONVERSATIONS["de"])) < 0.05
    assert english_share("") == 0.0


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "b@",
                "@",
                "@c",
                "http",
                "://",
                "www.",
                ".",
                " ",
                "\n",
                "\t",
                "\u2003",
                "\x0b",
                "x" * 60,
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_noise_is_removed_run_by_run_as_over_the_whole_text(text: str) -> None:
    assert language._without_noise(text) == language._NOISE.sub(" ", text)
