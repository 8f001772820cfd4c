"""A labelled synthetic corpus for identifier extraction (deterministic, benign).

Every positive message is built from a template and a freshly generated identifier whose
canonical value the generator computes itself (E.164 from the country code and national
number it chose; wallets from its own random bytes through the encoders; and so on). Hard
negatives are messages that look like identifiers but are not: clock times, dates, prices,
order numbers, version strings, IP-like build numbers, "@ home", "my snap is down", weights in
pounds, video resolutions, mistyped wallets. Phone numbers come from ranges reserved for
drama (Ofcom's 020 7946 0xxx etc., US 555-01xx, Australia's 0491 570 xxx) or are the
libphonenumber example numbers, so no real subscriber is named. E-mail and web domains are the
reserved ``example.*`` names. Message text is ordinary, non-graphic chat.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

from tests.intel.corpus_hand import GROOMING_BENIGN, HARD_NEGATIVES, hand
from tests.intel.corpus_types import Gold, Sample
from vigil.intel.extract import codecs

# ---------------------------------------------------------------------------------------------


ADJ = "sunny blue quiet happy lucky misty brave silver golden tiny rapid calm bright cosy".split()  # noqa: SIM905
NOUN = "fox otter robin panda comet maple river falcon badger pixel koala tiger lemon cloud".split()  # noqa: SIM905


def _name(rng: random.Random, seps: str = "_.", digits: bool = True) -> str:
    sep = rng.choice(["", *seps])
    tail = str(rng.randint(1, 99)) if digits and rng.random() < 0.7 else ""
    return f"{rng.choice(ADJ)}{sep}{rng.choice(NOUN)}{tail}"


def _case(rng: random.Random, s: str) -> str:
    return rng.choice([s, s.capitalize(), s.lower()])


# --- phones ---------------------------------------------------------------------------------

GB_DRAMA = ["20 7946 0", "113 496 0", "114 496 0", "116 496 0", "117 496 0", "118 496 0",
            "121 496 0", "131 496 0", "141 496 0", "151 496 0", "161 496 0", "191 498 0"]  # fmt: skip
EXAMPLES = [  # (region, country code, national significant number, national display)
    ("GB", "44", "7400123456", "07400 123456"),
    ("IN", "91", "8123456789", "081234 56789"),
    ("IN", "91", "7410410123", "074104 10123"),
    ("DE", "49", "15123456789", "01512 3456789"),
    ("DE", "49", "30123456", "030 123456"),
    ("FR", "33", "612345678", "06 12 34 56 78"),
    ("IE", "353", "850123456", "085 012 3456"),
    ("NL", "31", "612345678", "06 12345678"),
    ("ES", "34", "612345678", "612 34 56 78"),
]


def _gb_phone(rng: random.Random) -> tuple[str, str]:
    prefix = rng.choice(GB_DRAMA)
    nsn_spaced = prefix + f"{rng.randint(0, 999):03d}"
    nsn = nsn_spaced.replace(" ", "")
    parts = nsn_spaced.split(" ")
    style = rng.randrange(8)
    shown = [
        "0" + " ".join(parts),
        "0" + nsn,
        "0" + "-".join(parts),
        f"(0{parts[0]}) " + " ".join(parts[1:]),
        "+44 " + " ".join(parts),
        f"+44 (0){parts[0]} " + " ".join(parts[1:]),
        "+44" + nsn,
        "0044 " + " ".join(parts),
    ][style]
    return shown, "+44" + nsn


def _us_phone(rng: random.Random) -> tuple[str, str, str]:
    area = rng.choice(["202", "312", "415", "617", "718", "213", "305", "512"])
    line = f"01{rng.randint(0, 99):02d}"
    shown = rng.choice(
        [f"({area}) 555-{line}", f"{area}-555-{line}", f"{area}.555.{line}", f"+1 {area} 555 {line}",
         f"+1-{area}-555-{line}", f"1 ({area}) 555-{line}"]
    )  # fmt: skip
    region = "GB" if shown.startswith("+") else "US"
    return shown, f"+1{area}555{line}", region


def _intl_phone(rng: random.Random) -> tuple[str, str, str]:
    region, cc, nsn, national = rng.choice(EXAMPLES)
    if rng.random() < 0.5:
        return national, f"+{cc}{nsn}", region
    grouped = " ".join(nsn[i : i + 3] for i in range(0, len(nsn), 3))
    return rng.choice([f"+{cc} {grouped}", f"+{cc}{nsn}", f"00{cc} {grouped}"]), f"+{cc}{nsn}", "GB"


def _au_phone(rng: random.Random) -> tuple[str, str, str]:
    last = rng.choice(["156", "157", "158", "159", "110"])
    return rng.choice([f"0491 570 {last}", f"+61 491 570 {last}"]), f"+61491570{last}", "AU"


PHONE_T = ["call me on {}", "my number is {} text me", "{} is my new number", "ring {} after 6",
           "u can whatsapp me on {}", "text {} if ur bored", "new phone, number's {}",
           "this is my mums number {} dont use it", "my number: {}.", "call {}, ok?"]  # fmt: skip


def phones(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        gen = i % 4
        if gen == 0:
            shown, e164 = _gb_phone(rng)
            region = "GB"
        elif gen == 1:
            shown, e164, region = _us_phone(rng)
        elif gen == 2:
            shown, e164, region = _intl_phone(rng)
        else:
            shown, e164, region = _au_phone(rng) if rng.random() < 0.3 else (*_gb_phone(rng), "GB")
        out.append(Sample(rng.choice(PHONE_T).format(shown), [Gold("phone", e164)], region))
    return out


# --- e-mail, urls, ips ------------------------------------------------------------------------

DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk", "example.co.uk"]


def emails(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        local = _name(rng, "._-")
        domain = rng.choice(DOMAINS)
        if i % 6 == 5:
            host, tld = domain.split(".", 1)[0], "com"
            text = f"email me {local} at {host} dot com"
            out.append(Sample(text, [Gold("email", f"{local}@{host}.{tld}".lower())]))
            continue
        addr = f"{_case(rng, local)}@{domain}"
        t = rng.choice(["my email is {}", "send it to {}.", "{} is my school email", "email {} x",
                        "(or try {})", "contact: {}"])  # fmt: skip
        out.append(Sample(t.format(addr), [Gold("email", addr.lower())]))
    return out


def _onion(rng: random.Random) -> str:
    return codecs.onion_v3_encode(rng.randbytes(32)) + ".onion"


def urls(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        path = rng.choice(["", "/watch", "/games/play", "/p/abc123", "/?id=42", "/page-2"])
        dom = rng.choice(["example.com", "example.org", "example.net", "example.co.uk"])
        kind = i % 5
        platform = None
        if kind == 0:
            shown, value = f"https://{dom}{path}", f"{dom}{path}".rstrip("/")
        elif kind == 1:
            shown, value = f"www.{dom}{path}", f"{dom}{path}".rstrip("/")
        elif kind == 2:
            short = rng.choice(["bit.ly", "tinyurl.com", "cutt.ly", "is.gd"])
            code = "".join(rng.choice("abcdefghkmnpqrstuvwxyzABCDEFGH23456789") for _ in range(7))
            shown, value, platform = (
                rng.choice([f"https://{short}/{code}", f"{short}/{code}"]),
                f"{short}/{code}",
                short,
            )
        elif kind == 3:
            onion = _onion(rng)
            shown, value, platform = rng.choice([f"http://{onion}", onion]), onion, "tor"
        else:
            shown, value = f"{dom}{path or '/home'}", f"{dom}{path or '/home'}"
        t = rng.choice(
            ["look at {}", "{} <- this", "link: {}", "go on {} and tell me", "{}!", "its at {}."]
        )
        out.append(Sample(t.format(shown), [Gold("url", value, platform)]))
    return out


def ips(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        if i % 3 == 2:
            groups = [f"{rng.randint(1, 0xFFFF):x}" for _ in range(3)]
            full = f"2001:db8:{groups[0]}:{groups[1]}::{groups[2]}"
            import ipaddress

            value = ipaddress.IPv6Address(full).compressed
            out.append(
                Sample(
                    rng.choice(["ipv6 {}", "connected from {} apparently"]).format(full),
                    [Gold("ip", value, "ipv6")],
                )
            )
            continue
        net = rng.choice(["192.0.2", "198.51.100", "203.0.113", "10.0.0", "192.168.1"])
        ip = f"{net}.{rng.randint(1, 254)}"
        t = rng.choice(["my ip is {}", "server {} is down", "logged in from {}.", "ping {} lol"])
        out.append(Sample(t.format(ip), [Gold("ip", ip, "ipv4")]))
    return out


# --- handles and payments ---------------------------------------------------------------------

HANDLE_T = [
    ("add me on snap: {}", "snapchat"), ("add me on snapchat {}", "snapchat"),
    ("my insta is {}", "instagram"), ("my ig is @{}", "instagram"), ("snap: {}", "snapchat"),
    ("kik @{}", "kik"), ("add my kik {}", "kik"), ("hmu on tiktok @{}", "tiktok"),
    ("my discord is {}", "discord"), ("find me on discord as {}", "discord"),
    ("my telegram username is {}", "telegram"), ("follow me on insta @{}", "instagram"),
]  # fmt: skip


def handles(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        mode = i % 6
        if mode == 0:
            tag = f"{rng.randint(1, 9999):04d}"
            name = _name(rng, "_")
            text = rng.choice(["discord: {}", "add {} on discord", "my tag is {}"]).format(
                f"{name}#{tag}"
            )
            out.append(Sample(text, [Gold("handle", f"{name.lower()}#{tag}", "discord")]))
        elif mode == 1:
            name = _name(rng, "_")
            link, plat = rng.choice([(f"t.me/{name}x", "telegram"), (f"instagram.com/{name}", "instagram"),
                                     (f"https://www.tiktok.com/@{name}", "tiktok"),
                                     (f"snapchat.com/add/{name[:14]}", "snapchat")])  # fmt: skip
            value = link.rsplit("/", 1)[1].lstrip("@")
            out.append(Sample(f"here {link}", [Gold("handle", value.lower(), plat)]))
        elif mode == 2:
            name = _name(rng, "_.")
            text = rng.choice(["message @{} about it", "@{} did u see this", "ask @{}"]).format(
                name
            )
            out.append(Sample(text, [Gold("handle", name.lower(), None)]))
        else:
            t, plat = rng.choice(HANDLE_T)
            name = _name(rng, "_")
            if plat == "telegram" and len(name) < 5:
                name += "_tg"
            out.append(Sample(t.format(_case(rng, name)), [Gold("handle", name.lower(), plat)]))
    return out


def payments(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        mode = i % 5
        if mode == 0:
            name = _name(rng, "", digits=True)
            out.append(
                Sample(
                    f"send it to paypal.me/{_case(rng, name)}",
                    [Gold("payment", name.lower(), "paypal")],
                )
            )
        elif mode == 1:
            tag = _name(rng, "_")[:20]
            out.append(
                Sample(
                    rng.choice(["cashapp me ${}", "my cashtag is ${}"]).format(tag),
                    [Gold("payment", tag.lower(), "cashapp")],
                )
            )
        elif mode == 2:
            name = _name(rng, "-_") + "-1"
            t = rng.choice(["venmo @{}", "my venmo is {}", "venmo: {}"])
            out.append(Sample(t.format(name), [Gold("payment", name.lower(), "venmo")]))
        elif mode == 3:
            tag = _name(rng, "")
            out.append(
                Sample(f"https://cash.app/${tag}", [Gold("payment", tag.lower(), "cashapp")])
            )
        else:
            name = _name(rng, "", digits=True)
            out.append(
                Sample(
                    f"pay me at paypal.com/paypalme/{name}/20",
                    [Gold("payment", name.lower(), "paypal")],
                )
            )
    return out


def banks(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        sc = [f"{rng.randint(0, 99):02d}" for _ in range(3)]
        acc = f"{rng.randint(0, 99_999_999):08d}"
        value = f"{'-'.join(sc)} {acc}"
        text = [
            f"sort code {'-'.join(sc)} account {acc}",
            f"acc no {acc} sort code {''.join(sc)}",
            f"s/c {' '.join(sc)} a/c {acc}",
            f"bank details: {'-'.join(sc)} {acc}",
            f"account number: {acc}, sort code: {'-'.join(sc)}",
        ][i % 5]
        out.append(Sample(f"{text} thanks", [Gold("bank_account", value, "uk")]))
    return out


# --- crypto --------------------------------------------------------------------------------------


def wallet(rng: random.Random, kind: str) -> tuple[str, str, str]:
    """(text as written, canonical value, chain) for a freshly generated valid address."""
    if kind == "p2pkh":
        a = codecs.b58check_encode(0, rng.randbytes(20))
        return a, a, "bitcoin"
    if kind == "p2sh":
        a = codecs.b58check_encode(5, rng.randbytes(20))
        return a, a, "bitcoin"
    if kind == "bech32":
        a = codecs.segwit_encode("bc", 0, rng.randbytes(rng.choice([20, 32])))
        return (a.upper() if rng.random() < 0.2 else a), a, "bitcoin"
    if kind == "bech32m":
        a = codecs.segwit_encode("bc", 1, rng.randbytes(32))
        return a, a, "bitcoin"
    if kind.startswith("eth"):
        hex40 = rng.randbytes(20).hex()
        shown = {
            "eth": codecs.eip55(hex40),
            "eth_lower": "0x" + hex40,
            "eth_upper": "0x" + hex40.upper(),
        }[kind]
        return shown, "0x" + hex40, "ethereum"
    prefix, pid = {"xmr": (18, b""), "xmr_sub": (42, b""), "xmr_int": (19, rng.randbytes(8))}[kind]
    a = codecs.monero_encode(prefix, rng.randbytes(32), rng.randbytes(32), pid)
    return a, a, "monero"


WALLET_KINDS = [
    "p2pkh",
    "p2sh",
    "bech32",
    "bech32m",
    "eth",
    "eth_lower",
    "eth_upper",
    "xmr",
    "xmr_sub",
    "xmr_int",
]


def cryptos(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        shown, value, chain = wallet(rng, WALLET_KINDS[i % len(WALLET_KINDS)])
        t = rng.choice(["send to {}", "my wallet {}", "{} thats my address", "btc/eth/xmr: {}."])
        out.append(Sample(t.format(shown), [Gold("crypto", value, chain)]))
    return out


def flip_one(rng: random.Random, addr: str, alphabet: str) -> str:
    """Change one character (not the prefix) to another character of the same alphabet."""
    i = rng.randrange(4, len(addr))
    choices = [c for c in alphabet if c != addr[i]]
    return addr[:i] + rng.choice(choices) + addr[i + 1 :]


# --- postcodes, money, meeting times ------------------------------------------------------------

AREAS = ["SW", "M", "B", "LS", "EH", "CF", "BT", "G", "NE", "BS", "L", "NG", "OX", "CB", "E", "N"]
INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def postcodes(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        area = rng.choice(AREAS)
        number = rng.randint(1, 20)
        letter = number < 10 and len(area) == 2 and rng.random() < 0.2
        district = str(number) + (rng.choice("ABEHMNPRVWXY") if letter else "")
        inward = f"{rng.randint(0, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"
        value = f"{area}{district} {inward}"
        shown = rng.choice([value, value.lower(), value.replace(" ", "")])
        t = rng.choice(
            ["i live near {}", "postcode is {}", "its {} if u need it", "parcel to {} pls"]
        )
        out.append(Sample(t.format(shown), [Gold("postcode", value, "uk")]))
    return out


def moneys(rng: random.Random, n: int) -> list[Sample]:
    out = []
    forms: list[Callable[[int], tuple[str, str]]] = [
        lambda a: (f"£{a}", f"GBP {a}.00"), lambda a: (f"{a} quid", f"GBP {a}.00"),
        lambda a: (f"${a}", f"USD {a}.00"), lambda a: (f"€{a}", f"EUR {a}.00"),
        lambda a: (f"{a} pounds", f"GBP {a}.00"), lambda a: (f"{a} gbp", f"GBP {a}.00"),
        lambda a: (f"£{a}.50", f"GBP {a}.50"), lambda a: (f"{a} euros", f"EUR {a}.00"),
        lambda a: (f"{a % 90 + 5}p", f"GBP 0.{a % 90 + 5:02d}"),
        lambda a: (f"£{a}k", f"GBP {a * 1000}.00"), lambda a: (f"£1,{a:03d}", f"GBP 1{a:03d}.00"),
    ]  # fmt: skip
    for i in range(n):
        shown, value = forms[i % len(forms)](rng.randint(5, 500))
        t = rng.choice(
            [
                "i'll give you {}",
                "it was {} tho",
                "{} for the phone",
                "got {} for my bday",
                "top up {}",
            ]
        )
        out.append(Sample(t.format(shown), [Gold("money", value)]))
    return out


MEETINGS = [
    ("saturday at 3pm", "saturday 15:00"), ("tomorrow after school", "tomorrow after school"),
    ("on the 14th at 7", "day 14 07:00/19:00"), ("friday at 4:30pm", "friday 16:30"),
    ("next sunday at noon", "next sunday 12:00"), ("tmrw at 6pm", "tomorrow 18:00"),
    ("this weekend in the afternoon", "weekend afternoon"), ("monday after school", "monday after school"),
    ("14/03 at 2pm", "14 mar 14:00"), ("the 3rd of may at 11am", "3 may 11:00"),
    ("tonight at 8", "tonight 08:00/20:00"), ("wednesday evening", "wednesday evening"),
]  # fmt: skip
MEET_T = [
    "can we meet {}?",
    "see you {} x",
    "{} ok?",
    "meet me at the park {}",
    "i'll pick you up {}",
]


def meetings(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        phrase, value = MEETINGS[i % len(MEETINGS)]
        t = rng.choice(MEET_T)
        if t == "{} ok?":
            phrase = phrase[0].upper() + phrase[1:]
        out.append(Sample(t.format(phrase), [Gold("meeting_time", value)]))
    return out


# --- negatives and mixed --------------------------------------------------------------------------


def negatives(rng: random.Random, n: int) -> list[Sample]:
    pool = HARD_NEGATIVES + GROOMING_BENIGN
    return [
        Sample(text)
        for text in (pool + [rng.choice(pool) for _ in range(max(0, n - len(pool)))])[:n]
    ]


def mixed(rng: random.Random, n: int) -> list[Sample]:
    """Messages that carry two identifiers next to a hard negative."""
    out = []
    for _ in range(n):
        shown, e164 = _gb_phone(rng)
        name = _name(rng, "_")
        neg = rng.choice(["it's 12:30 now", "order #40213388", "version 1.2.3.4", "lost 5 pounds"])
        text = f"{neg}. call me {shown} or add me on snap: {name}"
        out.append(Sample(text, [Gold("phone", e164), Gold("handle", name.lower(), "snapchat")]))
    return out


def build(seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    samples: list[Sample] = []
    samples += phones(rng, 80) + emails(rng, 60) + urls(rng, 60) + ips(rng, 45)
    samples += handles(rng, 84) + payments(rng, 50) + banks(rng, 40) + cryptos(rng, 70)
    samples += postcodes(rng, 50) + moneys(rng, 66) + meetings(rng, 60) + mixed(rng, 30)
    samples += negatives(rng, 140) + hand()
    rng.shuffle(samples)
    return samples


if __name__ == "__main__":  # pragma: no cover - a look at the corpus
    for s in build()[: int(os.environ.get("N", "40"))]:
        print(s.region, s.text, [g.key for g in s.gold])
