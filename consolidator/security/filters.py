"""Filters that tell a credential from what documentation shows in its place: placeholders
(`your-api-key`, `<token>`), identifiers, digests, readable words and stock passwords, and the
JWTs vendors publish as samples. The detectors (`detectors.py`) ask these before reporting.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from typing import Any

from detect_secrets.filters import heuristic

# --- placeholders and documentation examples ------------------------------------------------

# Words that mark a value as something to fill in rather than a credential. Long words are
# looked for anywhere (`AKIAYOURKEYHERE`); short ones only as whole words of the value
# (`your-key`, `yourKeyPassword`), so random token text practically never trips them.
_PLACEHOLDER_SUBSTRINGS = re.compile(
    r"example|sample|placeholder|changeme|change_me|change-me|replace|redacted|dummy|insert|lorem|"
    r"password|passwd",
    re.IGNORECASE,
)
_PLACEHOLDER_WORDS = frozenset({"your", "here", "fake", "todo", "test", "demo", "mine", "none", "null"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
# Filled-in markers: ellipses, masks, template syntax, angle/curly brackets.
_PLACEHOLDER_MARKS = re.compile(r"\.\.\.|…|\*\*\*|xxxx|XXXX|[<>{}\[\]]|\$\(|%\(|%s|\{\{")
# References to a value kept elsewhere: `process.env.X`, `os.environ[...]`, `$VAR`, `env.X`.
_REFERENCE = re.compile(
    r"process\.env|import\.meta\.env|os\.environ|getenv|Deno\.env|\benv\.|\bENV\[|secrets\.|vars\.|^\$|^%|^@",
)
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz")
_DEFAULT_PASSWORDS = frozenset(
    {"postgres", "password", "pass", "root", "admin", "secret", "test", "guest", "user", "changeme"}
)
_WELL_KNOWN_EXAMPLES = ("EXAMPLE",)  # AWS documents its sample keys with this suffix


def _has_sequence(value: str, run: int = 6) -> bool:
    low = value.lower()
    return any(seq[i : i + run] in low for seq in _SEQUENCES for i in range(len(seq) - run + 1))


def _is_repetitive(value: str) -> bool:
    if len(set(value)) <= 2:
        return True
    for size in range(1, min(len(value) // 2, 64) + 1):
        if len(value) % size == 0 and value[:size] * (len(value) // size) == value:
            return True
    return False


def is_placeholder(value: str) -> bool:
    """True for stand-in values such as `YOUR_KEY_HERE`, `<token>`, `sk-...` or `${X}`."""
    v = value.strip().strip("\"'`")
    if len(v) < 6 or _is_repetitive(v):
        return True
    if _PLACEHOLDER_MARKS.search(v) or _REFERENCE.search(v) or _PLACEHOLDER_SUBSTRINGS.search(v):
        return True
    words = [w.lower() for w in _WORD.findall(v)]
    if any(w in _PLACEHOLDER_WORDS or (len(w) >= 3 and set(w) == {"x"}) for w in words):
        return True
    if any(word in v for word in _WELL_KNOWN_EXAMPLES):
        return True
    if v.startswith("eyJ") and _is_known_example_jwt(v):
        return True
    if _COUNTING.search(v) or _is_interleaved_count(v):
        return True
    return bool(_has_sequence(v) or heuristic.is_templated_secret(v) or heuristic.is_sequential_string(v))


# Counting made up by hand: `abc123`, `key_def456`, `123abc`, `a1b2c3d4...`.
_COUNTING = re.compile(r"abc-?_?123|def-?_?456|ghi-?_?789|xyz-?_?789|123-?_?abc|a1b2c3|1a2b3c", re.IGNORECASE)


def _is_interleaved_count(value: str) -> bool:
    """`a1b2c3d4e5f6...`: letters and digits that each count up (wrapping, as hex does)."""
    letters = [c for c in value.lower() if c.isalpha()]
    digits = [c for c in value if c.isdigit()]
    if len(letters) < 4 or len(digits) < 4 or len(letters) + len(digits) != len(value):
        return False

    def counts_up(chars: list[str], first: str, size: int) -> bool:
        pairs = itertools.pairwise(ord(c) - ord(first) for c in chars)
        return all(b % size == (a + 1) % size for a, b in pairs)

    return counts_up(digits, "0", 10) and (counts_up(letters, "a", 6) or counts_up(letters, "a", 26))


_READABLE_CHARS = re.compile(r"[A-Za-z0-9_.\-/]+")
# calls, and dotted paths of short identifiers (`env.SECRET`, `pair.verifyKey`); a JWT is
# dotted too, but its parts are long.
_CODE = re.compile(r"[()]|^[A-Za-z_$][\w$]{0,29}(?:\??\.[A-Za-z_$][\w$]{0,29})+$")
_SPACE = re.compile(r"\s")
_PATH = re.compile(r"^(?:/|\.{1,2}/|~/|[A-Za-z]:\\)")


def _is_word_like(value: str, strict: bool = True) -> bool:
    """Words, identifiers, slugs and paths made of them (`hexEncodedKey`, `16-byte-hex`,
    `path/to/upload.keystore`): what keyword assignments in docs hold instead of secrets.
    A symbol outside identifier characters (`Tb7!!x42k`) makes a value password-like. `strict`
    also wants every word pronounceable, which lower-case machine text (`qkzvbtrw`) is not; a
    password of plain words (`wordpassage`) is taken for a name either way."""
    if not _READABLE_CHARS.fullmatch(value):
        return False
    for part in re.split(r"[/._-]+", value):
        words = _WORD.findall(part)
        if any(w.isalpha() and len(w) < 3 for w in words) or len(words) > 6:
            return False
        if strict and not all(_pronounceable(w) for w in words if w.isalpha()):
            return False
    return True


def _is_credential_value(value: str, password: bool = False) -> bool:
    """Whether a value assigned to a credential name could be the credential itself.

    A key or token is machine-made: readable words (`X-Frame-Options`, `my-widget-token`,
    `scrna/data.h5ad`) are names, header names or paths, not keys. People choose passwords,
    so under a password name readable words with a symbol still count (`Harbor2030Gate!`), unless
    they are only the stock words of a documentation example (`StrongPass99!`)."""
    if len(value) < 8 or _SPACE.search(value):
        return False
    v = value.rstrip(",;")
    if _CODE.search(v) or _PATH.match(v) or heuristic.is_prefixed_with_dollar_sign(v):
        return False
    if heuristic.is_not_alphanumeric_string(v) or is_identifier(v) or _NOT_A_VALUE.match(v):
        return False
    if _FILE_PATH.match(v):
        return False
    if _is_word_like(v, strict=not password) or (_is_stock_password(v) if password else _is_readable(v)):
        return False
    return v.lower() not in _DEFAULT_PASSWORDS and not is_placeholder(v)


# A URL (its password, if any, is the URL detector's), a command-line flag, or another
# environment assignment (`NODE_OPTIONS=--max-old-space-size=4096` copied after a name).
_NOT_A_VALUE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|-{1,2}[A-Za-z]|[A-Z][A-Z0-9_]*=")
# A relative file path with an extension (`results/run-7/report.json`).
_FILE_PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)+\.[A-Za-z][A-Za-z0-9]{0,4}$")


def _class_of(char: str) -> int:
    return 0 if char.isdigit() else 1 if char.islower() else 2


def _is_readable(value: str) -> bool:
    """Words, numbers and acronyms joined (`OtterDesk2031`, `Ollo3-Mini-7B`): the character
    class (lower, upper, digit) changes only where a word starts. Machine-made keys change class
    about every other character; a capital starting a word (`Frame`) is not a change."""
    changes = pairs = 0
    for part in re.split(r"[^A-Za-z0-9]+", value):
        # Words glued together are long (`OtterDesk2031`); mixed-case machine text falls apart
        # into many short pieces (`LGKkjPe...` reads as `LGK`, `Kj`, `Pe`...).
        if len(part) >= 12 and len(_WORD.findall(part)) / len(part) > 0.3:
            return False
        for a, b in itertools.pairwise(part):
            pairs += 1
            ca, cb = _class_of(a), _class_of(b)
            if ca != cb and not (ca == 2 and cb == 1):
                changes += 1
    if not pairs or changes / pairs > 0.25:
        return False
    # Lower-case machine text (`k3xqvhtrwpzm...`) changes class rarely too: its long words are
    # unpronounceable (few vowels, long consonant runs), where real words are not.
    return all(_pronounceable(w) for w in _WORD.findall(value) if w.isalpha())


_CONSONANT_RUN = re.compile(r"[^aeiouy]{5,}")
# Short words without a vowel that names and slugs are full of.
_ABBREVIATIONS = frozenset(
    [
        "npm",
        "pkg",
        "src",
        "cfg",
        "tmp",
        "msg",
        "ctx",
        "cmd",
        "dst",
        "prd",
        "stg",
        "dns",
        "sql",
        "ssh",
        "tls",
        "ssl",
        "jwt",
        "kms",
        "rsa",
        "xml",
        "css",
        "gcp",
        "www",
        "http",
        "https",
        "html",
        "mgmt",
        "csv",
        "tsv",
        "pkl",
        "pth",
        "png",
        "jpg",
        "svg",
        "pdf",
        "txt",
        "yml",
        "tgz",
        "npz",
        "npy",
    ]
)


def _pronounceable(word: str) -> bool:
    """A word a person wrote: a vowel, no long consonant run; acronyms (`GGUF`) and common
    abbreviations (`npm`) pass. Machine text breaks this within a few letters (`znq`, `Xfl`)."""
    low = word.lower()
    if (word.isupper() and len(word) <= 5) or low in _ABBREVIATIONS or len(word) < 3:
        return True
    return any(c in "aeiouy" for c in low) and not _CONSONANT_RUN.search(low)


# Stock words of example passwords in API docs and test guides (`StrongPass99!`, `MyPassword1`).
_STOCK_PASSWORD_WORDS = frozenset(
    {
        "my",
        "secure",
        "super",
        "strong",
        "pass",
        "password",
        "passwd",
        "pwd",
        "secret",
        "test",
        "demo",
        "example",
        "sample",
        "new",
        "old",
        "admin",
        "user",
        "letmein",
        "qwerty",
        "welcome",
        "default",
    }
)


def _is_stock_password(value: str) -> bool:
    words = [w.lower() for w in _WORD.findall(value) if w.isalpha()]
    return bool(words) and all(w in _STOCK_PASSWORD_WORDS for w in words)


# Identifiers that look random but name public objects: API response and object ids with their
# documented prefixes (OpenAI `chatcmpl-`, Anthropic `msg_`, Stripe `cus_`...), blockchain
# addresses, Amazon resource names, UUIDs.
_ID_PREFIXES = re.compile(
    r"(?:chatcmpl|cmpl|resp|msg|msgbatch|toolu|req|run|thread|asst|file|batch|ftjob|evt|cus|pi|ch|"
    r"in|sub|price|prod|txn|acct|po|seti|pm|src|tok_test|ord|inv)[-_][A-Za-z0-9]{8,}$"
)
_CHAIN_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}$")
_INCHI_KEY = re.compile(r"[A-Z]{14}-[A-Z]{10}-[A-Z]$")  # a chemical structure's public id


def is_identifier(value: str) -> bool:
    """True for values that identify something public rather than grant access to it."""
    v = value.strip().strip("\"'`")
    if _ID_PREFIXES.match(v) or _CHAIN_ADDRESS.match(v) or _INCHI_KEY.match(v) or v.startswith("arn:"):
        return True
    return heuristic.is_potential_uuid(v) or _decodes_to_number(v)


def _decodes_to_number(value: str) -> bool:
    """A base64 wrapping of a plain number (a paging cursor, an opaque object id)."""
    if len(value) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+=*", value):
        return False
    try:
        return base64.b64decode(value, validate=True).decode("ascii").isdigit()
    except (ValueError, UnicodeDecodeError):
        return False


# The name a value is assigned to: `"lastId": "..."`, `request_id = '...'`, `ID: ...`.
_NAME_BEFORE = re.compile(r"([A-Za-z_][\w.-]*)[\"'`*]*[ \t]*(?:=|:|=>)[ \t]*[\"'`*]*$")
_ID_NAME = re.compile(r"(?:^|[_.-])(?:id|ids|uuid|guid)$|[a-z0-9](?:Id|ID|Ids|IDs)$|^(?:id|ID|Id)$")
_PASSWORD_NAME = re.compile(r"pass|pwd|contrase", re.IGNORECASE)


def _name_before(line: str, start: int) -> str:
    match = _NAME_BEFORE.search(line, 0, start)
    return match.group(1) if match else ""


_HASH_CONTEXT = re.compile(
    r"\b(?:integrity|checksums?|digests?|sha|sha1|sha256|sha384|sha512|md5|hash(?:es)?|commits?|"
    r"revision|rev|etag|fingerprint|resolved)\b",
    re.IGNORECASE,
)
_SRI_PREFIX = re.compile(r"^(?:sha1|sha256|sha384|sha512|md5)[-:]", re.I)
_HEX = re.compile(r"[0-9a-fA-F]+")


def _is_digest(value: str, line: str) -> bool:
    """Integrity hashes, commit ids and checksums: high entropy by nature, never credentials."""
    if _SRI_PREFIX.match(value):
        return True
    if _HEX.fullmatch(value) and (len(value) in (40, 64, 128) or 7 <= len(value) <= 12):
        return True
    return bool(_HASH_CONTEXT.search(line))


# Issuers of JWTs that a vendor publishes in its own documentation as fixed, non-secret values,
# matched exactly: a look-alike issuer (`acme-demo`) is somebody's real token.
# - `supabase-demo`: the anon and service_role keys every local Supabase stack (`supabase start`)
#   is signed with, printed in Supabase's local development docs.
DOCUMENTED_EXAMPLE_ISSUERS = frozenset({"supabase-demo"})


def _is_known_example_jwt(token: str) -> bool:
    """JWTs published as documentation samples: jwt.io's, and the issuers listed above."""
    try:
        part = token.split(".")[1]
        claims: Any = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, UnicodeDecodeError):
        return False
    if not isinstance(claims, dict):
        return False
    issuer = str(claims.get("iss", ""))
    jwt_io_sample = claims.get("sub") == "1234567890" and claims.get("name") == "John Doe"
    return issuer in DOCUMENTED_EXAMPLE_ISSUERS or jwt_io_sample
