"""The detectors: detect-secrets' plugins, called directly, and the ones this package adds
(passwords in connection strings, env-style assignments, table rows, `Authorization` headers,
private key blocks). Each yields `_Hit` spans; `secrets.py` merges them into findings.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterator, Sequence
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

from ..core.literals import folded
from .filters import (
    _DEFAULT_PASSWORDS,
    _ID_NAME,
    _PASSWORD_NAME,
    _SPACE,
    _is_credential_value,
    _is_digest,
    _is_readable,
    _is_repetitive,
    _name_before,
    is_identifier,
    is_placeholder,
)

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
class _Hit:
    start: int
    end: int
    kind: str


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


def _url_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines holding both `://` and `@`, the only ones _URL_PASSWORD can match."""
    return (
        (start, end) for start, end in lines_matching("://", text, text) if text.find("@", start, end) != -1
    )


def _url_passwords(text: str) -> Iterator[_Hit]:
    # Line by line (none of these patterns spans a line break), and only the lines that can hold a
    # match: scanning the whole text tries the pattern at every character. With pos and endpos a
    # pattern still sees the text around the line (`\b`, `^`, look-behinds), as a whole-text scan does.
    for match in (m for start, end in _url_lines(text) for m in _URL_PASSWORD.finditer(text, start, end)):
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


_AUTH_SCHEME = re.compile(r"bearer|basic|token")  # on the folded text


def _auth_headers(text: str, low: str | None = None) -> Iterator[_Hit]:
    lines = lines_matching(_AUTH_SCHEME, folded(text) if low is None else low, text)
    for match in (m for start, end in lines for m in _AUTH_HEADER.finditer(text, start, end)):
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


def _table_rows(text: str, lines: Sequence[tuple[int, int]] | None = None) -> Iterator[_Hit]:
    """`| API_TOKEN | value |`: a cell naming a credential followed by a cell holding one value.
    `lines` are `credential_lines(text)`, the only ones where a row can name one."""
    lines = credential_lines(text) if lines is None else lines
    for row in (m for start, end in lines for m in _TABLE_ROW.finditer(text, start, end)):
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


# Every name _is_credential_name accepts holds one of these, in any case.
_CREDENTIAL_TRIGGER = re.compile(r"key|token|secret|pass|pwd|credential")  # on the folded text


def credential_lines(text: str, low: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of the lines of `text` that hold a word a credential's name ends with, in any
    case; `low` is `folded(text)`."""
    return list(lines_matching(_CREDENTIAL_TRIGGER, folded(text) if low is None else low, text))


def _env_lines(text: str, lines: Sequence[tuple[int, int]] | None = None) -> Iterator[_Hit]:
    """`NAME=value` lines; `lines` are `credential_lines(text)`, the only ones that can hold one."""
    lines = credential_lines(text) if lines is None else lines
    for match in (m for start, end in lines for m in _ENV_LINE.finditer(text, start, end)):
        value, name = match.group("value"), match.group("name")
        if not _is_credential_name(name) or not _is_credential_value(value, _is_password_name(name)):
            continue
        yield _Hit(match.start("value"), match.end("value"), KEYWORD)


# --- detect-secrets plugins ---------------------------------------------------------------


# A trigger: a literal (found with str.find, the fastest search there is) or a pattern that starts
# with one (which re finds quickly too); neither may match a line break.
Trigger = str | re.Pattern[str]
_QUOTED = r"[A-Za-z0-9+/=\\_-]{9,}['\"]"  # what the entropy plugins read, from its opening quote on

# Each plugin with its prefilter: triggers of which one matches wherever the plugin's own patterns
# match (tests check that the prefilter loses nothing), the first against the text, the second
# against the text case-folded (`folded`) for the patterns that ignore case. A line is handed to a
# plugin only when one of its triggers matched there: a line with a URL is read by no plugin unless
# something else on it calls for one.
_REGEX_PLUGINS: tuple[tuple[Any, tuple[Trigger, ...], tuple[Trigger, ...]], ...] = (
    (jwt.JwtTokenDetector, ("eyJ",), ()),
    # key ids; secret keys by the name they are given
    (aws.AWSKeyDetector, ("A3T", "ABIA", "ACCA", "AKIA", "ASIA"), ("aws",)),
    (stripe.StripeDetector, ("k_live_",), ()),
    (slack.SlackDetector, (), ("xox", "hooks.slack.com")),
    (github_token.GitHubTokenDetector, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), ()),
    (
        gitlab_token.GitLabTokenDetector,
        (re.compile(r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-"), "GR1348941"),
        (),
    ),
    (openai.OpenAIDetector, ("T3BlbkFJ",), ()),
    (npm.NpmDetector, ("_authToken",), ()),
    (sendgrid.SendGridDetector, ("SG.",), ()),
    (twilio.TwilioKeyDetector, (re.compile(r"AC[a-z0-9]{32}"), re.compile(r"SK[a-z0-9]{32}")), ()),
    (mailchimp.MailchimpDetector, (re.compile(r"-us\d"),), ()),
    (pypi_token.PypiTokenDetector, ("pypi-",), ()),
    (discord.DiscordBotTokenDetector, (re.compile(r"\.[\w-]{6}\.[\w-]{27}"),), ()),
    (telegram_token.TelegramBotTokenDetector, (re.compile(r":[\w-]{35}"),), ()),
    (square_oauth.SquareOAuthDetector, ("sq0csp-",), ()),
    (azure_storage_key.AzureStorageKeyDetector, ("AccountKey=",), ()),
)


@lru_cache(maxsize=1)
def _regex_plugins() -> tuple[Any, ...]:
    return tuple(make() for make, _, _ in _REGEX_PLUGINS)


@lru_cache(maxsize=1)
def _entropy_plugins() -> tuple[Any, ...]:
    return (
        high_entropy_strings.Base64HighEntropyString(limit=BASE64_LIMIT),
        high_entropy_strings.HexHighEntropyString(limit=HEX_LIMIT),
    )


@lru_cache(maxsize=1)
def _keyword_plugin() -> Any:
    return keyword.KeywordDetector()


# Which plugins a line is handed to, as bits: one per regex plugin (in the order of _REGEX_PLUGINS),
# then the entropy plugins and the keyword plugin.
_ENTROPY = 1 << len(_REGEX_PLUGINS)
_KEYWORDS = _ENTROPY << 1
_EVERY_PLUGIN = (_KEYWORDS << 1) - 1
# The keyword plugin reads a line only if its lower case holds one of these (what it has always
# been given: a line with `paſſword` it is not, though its patterns would match it there).
_KEYWORD_GUARD = re.compile(r"key|pass|pwd|secret|contras")
# The words the keyword plugin's patterns look for (detect-secrets' DENYLIST, which they match
# ignoring case): without one of them on the folded line the plugin finds nothing there. Each holds
# one of _KEYWORD_WORDS, the cheaper triggers.
_DENYLIST = re.compile(
    r"(?:api|auth|service|account|db|database|priv|private|client)_?key|(?:db|database|key)_?pass"
    r"|passwd|password|pwd|secret|contrase(?:ñ|n)a"
)
_KEYWORD_WORDS = ("key", "pass", "pwd", "secret", "contrase")
# (trigger, on the case-folded text, plugins it wakes)
_TRIGGERS: tuple[tuple[Trigger, bool, int], ...] = (
    *((t, False, 1 << i) for i, (_, triggers, _) in enumerate(_REGEX_PLUGINS) for t in triggers),
    *((t, True, 1 << i) for i, (_, _, triggers) in enumerate(_REGEX_PLUGINS) for t in triggers),
    (re.compile("'" + _QUOTED), False, _ENTROPY),
    (re.compile('"' + _QUOTED), False, _ENTROPY),
    *((word, True, _KEYWORDS) for word in _KEYWORD_WORDS),
)


def lines_matching(trigger: Trigger, haystack: str, text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of `text` on which `trigger` matches `haystack` (`text` itself or
    `folded(text)`), in order, the line break excluded. `trigger` must not match a line break."""
    at = 0
    while True:
        if isinstance(trigger, str):
            found = haystack.find(trigger, at)
        else:
            match = trigger.search(haystack, at)
            found = match.start() if match else -1
        if found == -1:
            return
        start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        if end == -1:
            yield start, len(text)
            return
        yield start, end
        at = end + 1  # the rest of this line cannot add it again


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


def _plugin_spans(path: str, line: str, plugins: int = _EVERY_PLUGIN) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of what the `plugins` (bits) report on one line, after the filters."""
    for bit, plugin in enumerate(_regex_plugins()):
        if not plugins >> bit & 1:
            continue
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
    for kind, value in _plugin_values(path, line, plugins):
        for at in _occurrences(line, value):
            yield kind, at, at + len(value)


def _plugin_values(path: str, line: str, plugins: int = _EVERY_PLUGIN) -> Iterator[tuple[str, str]]:
    """(kind, value) pairs from the entropy and keyword plugins, after the filters."""
    for plugin in _entropy_plugins() if plugins & _ENTROPY else ():
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
    if not plugins & _KEYWORDS or heuristic.is_lock_file(path) or not _KEYWORD_GUARD.search(line.lower()):
        return
    if not _DENYLIST.search(folded(line)):  # then the plugin's patterns cannot match: skip them
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


def _candidate_lines(text: str, low: str) -> dict[int, int]:
    """Where each line that some plugin must read starts -> which plugins (bits). `low` is
    `folded(text)`."""
    found: dict[int, int] = {}
    for trigger, on_folded, plugins in _TRIGGERS:
        for start, _ in lines_matching(trigger, low if on_folded else text, text):
            found[start] = found.get(start, 0) | plugins
    return found


def _plugin_hits(path: str, text: str, low: str | None = None, prefilter: bool = True) -> Iterator[_Hit]:
    """What the detect-secrets plugins find in `text`, line by line, each line read only by the
    plugins its triggers call for (every plugin on every line without `prefilter`)."""
    if prefilter:
        lines = _candidate_lines(text, folded(text) if low is None else low)
    else:
        lines = dict.fromkeys([0, *(m.end() for m in re.finditer("\n", text))], _EVERY_PLUGIN)
    for begin in sorted(lines):
        end = text.find("\n", begin)
        line = text[begin : end if end != -1 else len(text)].rstrip("\r")
        for kind, start, stop in _plugin_spans(path, line, lines[begin]):
            yield _Hit(begin + start, begin + stop, kind)
