"""Secret detection in document text, with masked reports and redaction.

detect-secrets supplies the detectors (JWTs, cloud and service tokens, keyword assignments,
high-entropy quoted strings) and its heuristic filters; this module adds what documentation
shows and that scanner misses: passwords inside connection strings of any scheme (its own
detector wants a user name and reports no position), env-style `NAME_KEY=value` lines whose
names its keyword list does not know, `Authorization: Bearer/Basic` headers, and private key
blocks redacted as a whole rather than by their first line. Plugins are called directly
(never through detect-secrets' global settings), so nothing is ever verified over the network.
Placeholders that docs are full of
(`your-api-key`, `<token>`, `sk-...`, `${VAR}`) and digests (integrity hashes, commit ids)
are not findings.

A finding never carries the secret: only a masked fragment and a fingerprint that an
allow-list entry can name.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from detect_secrets.filters import heuristic
from detect_secrets.plugins import (
    aws,
    azure_storage_key,
    discord,
    github_token,
    gitlab_token,
    high_entropy_strings,
    jwt,
    keyword,
    mailchimp,
    npm,
    openai,
    pypi_token,
    sendgrid,
    slack,
    square_oauth,
    stripe,
    telegram_token,
    twilio,
)

from ..core.textio import line_starts

JWT = "JSON Web Token"
AWS_KEY = "AWS Access Key"
PRIVATE_KEY = "Private Key"  # pragma: allowlist secret
URL_PASSWORD = "Password in URL"  # pragma: allowlist secret
KEYWORD = "Secret keyword"
HIGH_ENTROPY = "High entropy string"
AUTH_HEADER = "Authorization header"

# Entropy limits: detect-secrets' defaults; quoted strings only, as the plugins require.
BASE64_LIMIT = 4.5
HEX_LIMIT = 3.0


@dataclass(frozen=True)
class SecretFinding:
    """One detected secret. `start`/`end` are offsets of the secret value in the scanned text."""

    path: str
    line: int
    kind: str
    masked: str
    fingerprint: str
    start: int
    end: int
    end_line: int = 0  # last line the secret spans (a key block spans several)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str


# Which detector wins when two findings overlap: the most specific one names the kind.
_PRIORITY = {PRIVATE_KEY: 0, URL_PASSWORD: 2, AUTH_HEADER: 2, KEYWORD: 3, HIGH_ENTROPY: 4}


def _priority(kind: str) -> int:
    return _PRIORITY.get(kind, 1)


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


# --- detectors we add ---------------------------------------------------------------------

# A password between `user:` and `@host` in a URL of any scheme; the user may be empty (redis).
_URL_PASSWORD = re.compile(
    r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://(?P<user>[^\s:/?#@\[\]\"'`<>]*):(?P<pw>[^\s/?#@\"'`<>]+)@(?=[^\s@])"
)

# NAME=value / NAME: value, where NAME names a credential; covers names detect-secrets'
# keyword list does not know (`..._ROLE_KEY`, `..._TOKEN`, `..._CREDENTIALS`).
_ENV_LINE = re.compile(
    # Documents dress assignments up: list items (`- `, `1. `), bold or code names
    # (`**API_TOKEN** = ...`, `**Password:** ...`), values in backticks.
    r"^[ \t>]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:export[ \t]+|set[ \t]+)?"
    # A name may be a label of up to three words (`- API token: ...`, `Access key: ...`).
    r"(?P<open>\*\*|__|[`\"'])?(?P<name>[A-Za-z_][A-Za-z0-9_.]*(?:[ ][A-Za-z][A-Za-z0-9_.]*){0,2})(?P=open)?"
    r"[ \t]*(?:=|:)(?:\*\*|__)?[ \t]*"
    r"(?P<q>[\"'`]?)(?P<value>[^\s\"'`#,;]+)(?P=q)(?=[ \t]*(?:\r?$|#|//|,|;|\)|\}))",
    re.MULTILINE,
)
# The credential word must end the name (`DB_PASSWORD`, `serviceRoleKey`), optionally followed by
# an encoding (`DATA_KEY_BASE64`), so `KEYSTORE_PATH` or `TOKEN_URL` is not one.
_NAME_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_CREDENTIAL_WORDS = frozenset(
    {"key", "token", "secret", "password", "passwd", "pwd", "pass", "credential", "credentials", "apikey"}
)
_ENCODING_WORDS = frozenset({"base64", "b64", "hex", "value", "raw"})
_PUBLIC_WORDS = frozenset({"public", "publishable", "pub"})


def _is_password_name(name: str) -> bool:
    return bool(_PASSWORD_NAME.search(name))


def _is_credential_name(name: str) -> bool:
    words = [w.lower() for w in _NAME_WORD.findall(name.rsplit(".", 1)[-1])]
    if words == ["pass"]:  # alone it is a test verdict (`| PASS |`), not a password
        return False
    while len(words) > 1 and (words[-1] in _ENCODING_WORDS or (words[-1] == "64" and words[-2] == "base")):
        words.pop()
    if not words or words[-1] not in _CREDENTIAL_WORDS:
        return False
    return not (len(words) > 1 and words[-2] in _PUBLIC_WORDS)


_KEY_BEGIN = re.compile(
    r"-----BEGIN (?P<label>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----|PuTTY-User-Key-File-\d"
)
_KEY_BODY_LINE = re.compile(r"[ \t>]*(?:[A-Za-z0-9+/=]{16,}|[A-Za-z-]+: .*|Private-Lines: \d+)[ \t\r]*")
_BASE64_CHARS = re.compile(r"[A-Za-z0-9+/]")
_MAX_KEY_BLOCK = 20_000  # an RSA-8192 PEM is ~6,500 characters
_MIN_KEY_BODY = 64  # a real key body has hundreds of base64 characters; docs show `MIIE...`
_KEY_ELISION = re.compile(r"\.\.\.|…|[<>*{}]")  # characters base64 never holds


def _private_key_blocks(text: str) -> Iterator[_Hit]:
    pos = 0
    while match := _KEY_BEGIN.search(text, pos):
        label = match.group("label")
        end = -1
        if label:
            closing = text.find(f"-----END {label}-----", match.end(), match.end() + _MAX_KEY_BLOCK)
            if closing != -1:
                end = closing + len(f"-----END {label}-----")
        if end == -1:
            # No closing marker: the block runs while lines look like key material.
            end = match.end()
            cursor = text.find("\n", match.end())
            while cursor != -1:
                next_nl = text.find("\n", cursor + 1)
                line = text[cursor + 1 : next_nl if next_nl != -1 else len(text)]
                if not _KEY_BODY_LINE.fullmatch(line):
                    break
                end = cursor + 1 + len(line.rstrip("\r"))
                cursor = next_nl
        body = text[match.end() : end]
        body = re.sub(r"-----END [A-Z0-9 ]+-----|\\n|[A-Za-z-]+: [^\n]*", "", body)
        if len(_BASE64_CHARS.findall(body)) >= _MIN_KEY_BODY and not _KEY_ELISION.search(body):
            yield _Hit(match.start(), end, PRIVATE_KEY)
        pos = max(end, match.end())


def _url_passwords(text: str) -> Iterator[_Hit]:
    for match in _URL_PASSWORD.finditer(text):
        password = match.group("pw")
        if password == match.group("user") or password.lower() in _DEFAULT_PASSWORDS:
            continue
        if is_placeholder(password) or heuristic.is_prefixed_with_dollar_sign(password):
            continue
        yield _Hit(match.start("pw"), match.end("pw"), URL_PASSWORD)


# `Authorization: Bearer <token>` / `Basic <base64 of user:password>` in curl and HTTP examples.
_AUTH_HEADER = re.compile(
    r"\b(?P<scheme>Bearer|Basic|Token)[ \t]+(?P<value>[A-Za-z0-9\-._~+/]{16,}=*)", re.IGNORECASE
)


_AUTHORIZATION = re.compile(r"authorization", re.IGNORECASE)


def _auth_headers(text: str) -> Iterator[_Hit]:
    for match in _AUTH_HEADER.finditer(text):
        value = match.group("value")
        scheme = match.group("scheme").lower()
        line_start = text.rfind("\n", 0, match.start()) + 1
        # "token 0x4a2b..." in prose names a coin; only Bearer is specific enough without a header
        if scheme != "bearer" and not _AUTHORIZATION.search(text, line_start, match.start()):
            continue
        if scheme == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                continue
            user, sep, password = decoded.partition(":")
            if not sep or password in ("", user) or password.lower() in _DEFAULT_PASSWORDS:
                continue
            if is_placeholder(password):
                continue
        elif not _is_credential_value(value):
            continue
        yield _Hit(match.start("value"), match.end("value"), AUTH_HEADER)


_TABLE_ROW = re.compile(r"^[ \t>]*\|.*\|[ \t]*\r?$", re.MULTILINE)
_CELL_DRESS = "`*_ \t"


def _table_rows(text: str) -> Iterator[_Hit]:
    """`| API_TOKEN | value |`: a cell naming a credential followed by a cell holding one value."""
    for row in _TABLE_ROW.finditer(text):
        cells, start = [], row.start()
        line = row.group().rstrip("\r")
        at = line.index("|") + 1
        for part in line[at:].split("|")[:-1]:
            cells.append((start + at, part))
            at += len(part) + 1
        if len(cells) < 2:
            continue
        # Only a row's first two cells: a name column and its value (`| NAME | value | notes |`);
        # later cells describe (`| id | InChI Key | ... |`).
        (_, name_cell), (value_at, value_cell) = cells[0], cells[1]
        name, value = name_cell.strip(_CELL_DRESS), value_cell.strip(_CELL_DRESS)
        if not value or _SPACE.search(value) or not _is_credential_name(name):
            continue
        if _is_credential_value(value, _is_password_name(name)):
            offset = value_at + value_cell.index(value)
            yield _Hit(offset, offset + len(value), KEYWORD)


def _env_lines(text: str) -> Iterator[_Hit]:
    for match in _ENV_LINE.finditer(text):
        value, name = match.group("value"), match.group("name")
        if not _is_credential_name(name) or not _is_credential_value(value, _is_password_name(name)):
            continue
        yield _Hit(match.start("value"), match.end("value"), KEYWORD)


# --- detect-secrets plugins ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _regex_plugins() -> tuple[Any, ...]:
    return (
        jwt.JwtTokenDetector(),
        aws.AWSKeyDetector(),
        stripe.StripeDetector(),
        slack.SlackDetector(),
        github_token.GitHubTokenDetector(),
        gitlab_token.GitLabTokenDetector(),
        openai.OpenAIDetector(),
        npm.NpmDetector(),
        sendgrid.SendGridDetector(),
        twilio.TwilioKeyDetector(),
        mailchimp.MailchimpDetector(),
        pypi_token.PypiTokenDetector(),
        discord.DiscordBotTokenDetector(),
        telegram_token.TelegramBotTokenDetector(),
        square_oauth.SquareOAuthDetector(),
        azure_storage_key.AzureStorageKeyDetector(),
    )


@lru_cache(maxsize=1)
def _entropy_plugins() -> tuple[Any, ...]:
    return (
        high_entropy_strings.Base64HighEntropyString(limit=BASE64_LIMIT),
        high_entropy_strings.HexHighEntropyString(limit=HEX_LIMIT),
    )


@lru_cache(maxsize=1)
def _keyword_plugin() -> Any:
    return keyword.KeywordDetector()


# Cheap prefilter: a line reaches the plugins only when it holds something one of them needs.
# Each pattern is a superset of a plugin's own (tests check the prefilter loses nothing).
# Separate literal-led patterns run several times faster than one alternation.
_TRIGGERS = tuple(
    re.compile(p)
    for p in (
        r"eyJ",  # JWT
        r"A3T|ABIA|ACCA|AKIA|ASIA",  # AWS key ids
        r"://",  # Slack webhooks, npm registries
        r"k_live_",  # Stripe
        r"gh[pousr]_",  # GitHub
        r"gl[a-z]+-|GR1348941",  # GitLab
        r"T3BlbkFJ",  # OpenAI
        r"_authToken",  # npm
        r"SG\.",  # SendGrid
        r"(?:AC|SK)[a-z0-9]{32}",  # Twilio
        r"-us\d",  # Mailchimp
        r"pypi-",  # PyPI
        r"\.[\w-]{6}\.[\w-]{27}",  # Discord
        r":[\w-]{35}",  # Telegram
        r"sq0csp-",  # Square
        r"AccountKey=",  # Azure storage
        r"['\"][A-Za-z0-9+/=\\_-]{9,}['\"]",  # quoted strings for the entropy plugins
    )
)
# Run on the lower-cased text: keyword plugin words, AWS secret keys, Slack (case-insensitive).
_KEYWORD_TRIGGER = re.compile(r"key|pass|pwd|secret|contras")
_TRIGGERS_LOWER = (_KEYWORD_TRIGGER, re.compile(r"aws|xox|hooks\.slack\.com"))


def _kind_of(secret_type: str) -> str:
    if secret_type == "Secret Keyword":  # pragma: allowlist secret
        return KEYWORD
    if secret_type.endswith("High Entropy String"):
        return HIGH_ENTROPY
    return secret_type


def _occurrences(line: str, value: str) -> Iterator[int]:
    at = line.find(value)
    while at != -1:
        yield at
        at = line.find(value, at + len(value))


def _regex_plugin_spans(plugin: Any, line: str) -> Iterator[tuple[int, int]]:
    """Spans of a regex plugin's matches. Its own analyze_string yields only the first group
    of a match, which for some patterns is just a prefix (`ghp`); the span of the longest
    group that can hold a secret, else of the whole match, is what must be redacted."""
    for pattern in plugin.denylist:
        for match in pattern.finditer(line):
            groups = [i for i in range(1, (pattern.groups or 0) + 1) if match.group(i)]
            best = max(groups, key=lambda i: len(match.group(i)), default=0)
            if best and len(match.group(best)) < 8:
                best = 0
            yield match.start(best), match.end(best)


def _plugin_spans(path: str, line: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of what the plugins report on one line, after the filters."""
    for plugin in _regex_plugins():
        kind = _kind_of(plugin.secret_type)
        for start, end in _regex_plugin_spans(plugin, line):
            if kind == JWT:
                # the plugin's pattern stops lazily before the signature; take the whole token
                end = _JWT_TAIL.match(line, end).end()  # type: ignore[union-attr]
                if not plugin.is_formally_valid(line[start:end]):
                    continue
            value = line[start:end]
            if len(value) < 8 or is_placeholder(value) or _is_example_url(value):
                continue
            yield kind, start, end
    for kind, value in _plugin_values(path, line):
        for at in _occurrences(line, value):
            yield kind, at, at + len(value)


def _plugin_values(path: str, line: str) -> Iterator[tuple[str, str]]:
    """(kind, value) pairs from the entropy and keyword plugins, after the filters."""
    for plugin in _entropy_plugins():
        # entropy can't exceed log2(len): shorter strings can't pass, skip computing it
        shortest = math.floor(2**plugin.entropy_limit) + 1
        for value in set(plugin.analyze_string(line)):
            if len(value) < shortest or plugin.calculate_shannon_entropy(value) <= plugin.entropy_limit:
                continue
            if _is_digest(value, line) or is_placeholder(value) or heuristic.is_potential_uuid(value):
                continue
            if heuristic.is_likely_id_string(value, line, plugin) or is_identifier(value):
                continue
            if _is_readable(value) or _ID_NAME.search(_name_before(line, line.find(value))):
                continue
            yield HIGH_ENTROPY, value
    if heuristic.is_lock_file(path) or not _KEYWORD_TRIGGER.search(line.lower()):
        return
    kw = _keyword_plugin()
    values: set[str] = set()
    for table in (keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP, keyword.CONFIG_DENYLIST_REGEX_TO_GROUP):
        values.update(v.strip() for v in kw.analyze_string(line, denylist_regex_to_group=table))
    # the name the value is assigned to says whether it is a password (the whole line if unknown)
    values = {
        v
        for v in values
        if _is_credential_value(v, _is_password_name(_name_before(line, line.find(v)) or line))
    }
    # detect-secrets' indirect-reference regex is slow on long lines; run it only when needed
    if values and not heuristic.is_indirect_reference(line):
        for value in values:
            yield KEYWORD, value


_JWT_TAIL = re.compile(r"[A-Za-z0-9_\-.+/=]*")


def _is_example_url(value: str) -> bool:
    """A webhook URL whose ids are stand-ins (`/services/T00/B00/yyy`, `XXXXXXXX`): real Slack
    workspace and channel ids run to 8 or more characters, the secret part to 24."""
    if "://" not in value:
        return False
    parts = [p for p in value.split("://", 1)[1].split("/")[1:] if p]
    ids = parts[1:] if parts and parts[0] == "services" else parts
    return any(len(p) < 8 or _is_repetitive(p[1:] if p[:1] in "TB" else p) for p in ids)


def _candidate_lines(text: str, starts: list[int]) -> set[int]:
    found: set[int] = set()
    lower = text.lower()
    pairs = [*((p, text) for p in _TRIGGERS), *((p, lower) for p in _TRIGGERS_LOWER)]
    for pattern, haystack in pairs:
        for match in pattern.finditer(haystack):
            first = bisect.bisect_right(starts, match.start()) - 1
            last = bisect.bisect_right(starts, max(match.end() - 1, match.start())) - 1
            found.update(range(first, last + 1))
    return found


def _plugin_hits(path: str, text: str, starts: list[int], prefilter: bool = True) -> Iterator[_Hit]:
    indices = sorted(_candidate_lines(text, starts)) if prefilter else range(len(starts))
    for index in indices:
        begin = starts[index]
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
        line = text[begin:end].rstrip("\r")
        for kind, start, end in _plugin_spans(path, line):
            yield _Hit(begin + start, begin + end, kind)


def _merge(hits: Sequence[_Hit]) -> list[_Hit]:
    """Overlapping hits become one span, named by the most specific detector."""
    merged: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            kind = min((last.kind, hit.kind), key=_priority)
            merged[-1] = _Hit(last.start, max(last.end, hit.end), kind)
        else:
            merged.append(hit)
    return merged


def mask(value: str) -> str:
    """A fragment that identifies a secret to its owner but can't rebuild it: at most 4 + 2 chars."""
    n = len(value)
    head = min(4, n // 6) if n >= 8 else 0
    tail = min(2, n // 12)
    shown_head = value[:head] if "\n" not in value[:head] else ""
    shown_tail = value[n - tail :] if tail and "\n" not in value[n - tail :] else ""
    return f"{shown_head}…({n} chars)…{shown_tail}"


def fingerprint(kind: str, value: str) -> str:
    """sha256 of `kind:value`, first 16 hex digits: names a secret without holding it."""
    normalized = value.replace("\r\n", "\n")
    return hashlib.sha256(f"{kind}:{normalized}".encode()).hexdigest()[:16]


def _allowed(finding: SecretFinding, allow: Sequence[str]) -> bool:
    last_line = max(finding.end_line, finding.line)
    for entry in allow:
        entry = entry.strip()
        if entry == finding.fingerprint:
            return True
        where, sep, number = entry.rpartition(":")
        if (
            sep
            and number.isdigit()
            and _same_path(where, finding.path)
            and (finding.line <= int(number) <= last_line)
        ):
            return True
    return False


def _same_path(a: str, b: str) -> bool:
    def norm(p: str) -> str:
        p = p.replace("\\", "/")
        return p[2:] if p.startswith("./") else p

    return norm(a) == norm(b)


def scan_text(path: str, text: str, prefilter: bool = True) -> tuple[SecretFinding, ...]:
    """Every finding in `text`, before allow-listing."""
    starts = line_starts(text)
    hits = [
        *_private_key_blocks(text),
        *_url_passwords(text),
        *_env_lines(text),
        *_table_rows(text),
        *_auth_headers(text),
        *_plugin_hits(path, text, starts, prefilter),
    ]
    findings = []
    for hit in _merge(hits):
        value = text[hit.start : hit.end]
        findings.append(
            SecretFinding(
                path=path,
                line=bisect.bisect_right(starts, hit.start),
                kind=hit.kind,
                masked=mask(value),
                fingerprint=fingerprint(hit.kind, value),
                start=hit.start,
                end=hit.end,
                end_line=bisect.bisect_right(starts, max(hit.start, hit.end - 1)),
            )
        )
    return tuple(findings)


def find_secrets(path: str, text: str, allow: Sequence[str] = ()) -> tuple[SecretFinding, ...]:
    """Secrets in one document, in text order. `allow` holds fingerprints or "path:line" entries."""
    return without_allowed(scan_text(path, text), allow)


def without_allowed(findings: Sequence[SecretFinding], allow: Sequence[str]) -> tuple[SecretFinding, ...]:
    """`findings` less those an allow entry (fingerprint, or path:line within the secret) covers."""
    if not allow:
        return tuple(findings)
    return tuple(f for f in findings if not _allowed(f, allow))


def redact(text: str, findings: Sequence[SecretFinding], replacement: str = "[REDACTED]") -> str:
    """`text` with every finding's span replaced (overlapping spans once); other text is untouched."""
    merged: list[list[int]] = []
    for start, end in sorted((f.start, f.end) for f in findings):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    pos = 0
    for start, end in merged:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- the same secret elsewhere --------------------------------------------------------------

# Shorter values are too likely to occur by chance in unrelated text.
MIN_KNOWN_LENGTH = 12


def known_values(texts: Mapping[str, str], findings: Mapping[str, Sequence[SecretFinding]]) -> dict[str, str]:
    """value -> kind for every secret found: a value found once is a secret wherever it appears."""
    values: dict[str, str] = {}
    for path, found in findings.items():
        text = texts.get(path)
        if text is None:
            continue
        for f in found:
            value = text[f.start : f.end]
            if len(value) >= MIN_KNOWN_LENGTH and "\n" not in value:
                values.setdefault(value, f.kind)
    return values


def find_known(path: str, text: str, values: Mapping[str, str]) -> tuple[SecretFinding, ...]:
    """Occurrences in `text` of secret values found elsewhere (a token pasted into a table, a
    status board, a prose line the detectors cannot read as an assignment)."""
    if not values:
        return ()
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
    starts = line_starts(text)
    found = []
    for match in pattern.finditer(text):
        kind = values[match.group()]
        line = bisect.bisect_right(starts, match.start())
        found.append(
            SecretFinding(
                path=path,
                line=line,
                kind=kind,
                masked=mask(match.group()),
                fingerprint=fingerprint(kind, match.group()),
                start=match.start(),
                end=match.end(),
                end_line=line,
            )
        )
    return tuple(found)


def combine(first: Sequence[SecretFinding], more: Sequence[SecretFinding]) -> tuple[SecretFinding, ...]:
    """`first` plus the findings of `more` that do not overlap any of them, in text order."""
    taken = [(f.start, f.end) for f in first]
    extra = [f for f in more if not any(f.start < end and start < f.end for start, end in taken)]
    return tuple(sorted([*first, *extra], key=lambda f: (f.start, f.end)))


def scan_documents(texts: Mapping[str, str]) -> dict[str, tuple[SecretFinding, ...]]:
    """Every document's findings as a repository scan reports them: what the detectors find in
    it, plus every occurrence of a value they found anywhere (before allow-listing)."""
    found = {path: scan_text(path, text) for path, text in texts.items()}
    values = known_values({p: texts[p] for p, f in found.items() if f}, found)
    if values:
        found = {path: combine(found[path], find_known(path, texts[path], values)) for path in texts}
    return found
