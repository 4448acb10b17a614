"""The detectors: detect-secrets' plugins, called directly, and the ones this package adds
(passwords in connection strings, env-style assignments, table rows, `Authorization` headers,
private key blocks). Each yields `_Hit` spans; `secrets.py` merges them into findings.
"""

from __future__ import annotations

import base64
import bisect
import math
import re
from collections.abc import Iterator
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
