"""Secret detection: planted secrets are found, placeholders and digests are not, nothing leaks.

Every secret-looking string is generated here at test time (random bytes, assembled prefixes),
so the repository itself holds nothing a secret scanner would flag.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from consolidator.security.detectors import AUTH_HEADER, AWS_KEY, JWT, KEYWORD, PRIVATE_KEY, URL_PASSWORD
from consolidator.security.filters import is_placeholder
from consolidator.security.secrets import SecretFinding, find_secrets, fingerprint, mask, redact, scan_text
from tests.conftest import load_tool

RNG = random.Random(20251127)
# Look-alikes that plain scanners flag, assembled so this file holds none of them whole.
BEGIN, END = "-----BEGIN ", "-----END "
PK = "PRIVATE" + " KEY"
TEMPLATE_URL = "postgresql://user" + ":your-password@your-host:5432/db"
LOCAL_URL = "postgres://postgres" + ":postgres@localhost:5432/postgres"
ALNUM = string.ascii_letters + string.digits


def _random(n: int, alphabet: str = ALNUM) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims: dict[str, object]) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps(claims).encode())
    key = RNG.randbytes(32)
    signature = _b64url(hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"


def make_aws_key() -> str:
    return "AK" + "IA" + _random(16, string.ascii_uppercase + string.digits)


def make_private_key_block(label: str = "RSA " + PK, lines: int = 12) -> str:
    body = base64.b64encode(RNG.randbytes(48 * lines)).decode()
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"{BEGIN}{label}-----", *rows, f"{END}{label}-----"])


@dataclass(frozen=True)
class Planted:
    kind: str
    value: str  # the exact text a finding must span


def _line_of(text: str, value: str) -> int:
    return text[: text.index(value)].count("\n") + 1


def build_document() -> tuple[str, list[Planted]]:
    """A Markdown document with one secret of each kind and a crowd of look-alikes."""
    jwt = make_jwt({"iss": "acme-auth", "ref": _random(20).lower(), "role": "anon", "iat": 1759000000})
    service_jwt = make_jwt({"iss": "acme-auth", "role": "service_role", "exp": 2059000000})
    aws = make_aws_key()
    key_block = make_private_key_block()
    db_password = _random(18) + "!x"
    redis_password = _random(24)
    api_key = _random(32)
    sri = base64.b64encode(RNG.randbytes(64)).decode()
    commit = RNG.randbytes(20).hex()
    digest = RNG.randbytes(32).hex()
    example_aws = "AKIA" + "IOSFODNN7" + "EXAMPLE"
    text = f"""# Deployment notes

Set up the environment before the first deploy.

```bash
export SUPABASE_ANON_KEY="{jwt}"
SUPABASE_SERVICE_ROLE_KEY={service_jwt}
API_KEY={api_key}
API_KEY=YOUR_API_KEY_HERE
OPENAI_API_KEY=sk-...
STRIPE_SECRET=<your-token>
HMAC_SECRET=${{HMAC_SECRET}}
MFA_SECRET=changeme
DB_PASSWORD=****
SESSION_SECRET=xxxxx
const key = process.env.SERVICE_KEY;
```

The AWS key id `{aws}` belongs to the deploy user; the docs sample is `{example_aws}`.

Connection strings:

- production: `postgres://app_user:{db_password}@db.internal.example:5432/app`
- cache: `redis://:{redis_password}@cache.internal:6379/0`
- template: `{TEMPLATE_URL}`
- local: `{LOCAL_URL}`
- from env: `mongodb+srv://admin:${{MONGO_PASSWORD}}@cluster0.example.net/db`

The signing key:

{key_block}

A key format reminder, not a key:

{BEGIN}{PK}-----
MIIE...
{END}{PK}-----

Lock file excerpt:

```
"integrity": "sha512-{sri}",
  integrity sha512-{sri}
  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#{commit}"
```

Fixed in commit {commit} ("{commit}"); image digest `sha256:{digest}`, checksum "{digest}".
"""
    planted = [
        Planted(JWT, jwt),
        Planted(JWT, service_jwt),
        Planted(KEYWORD, api_key),
        Planted(AWS_KEY, aws),
        Planted(URL_PASSWORD, db_password),
        Planted(URL_PASSWORD, redis_password),
        Planted(PRIVATE_KEY, key_block),
    ]
    return text, planted


@pytest.fixture(scope="module")
def document() -> tuple[str, list[Planted]]:
    return build_document()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small repository: one document with secrets, one with only look-alikes."""
    root = tmp_path_factory.mktemp("repo")
    text, _ = build_document()
    (root / "DEPLOY.md").write_text(text, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "setup.md").write_text(
        "# Setup\n\nCopy `.env.example` and fill in `API_KEY=YOUR_API_KEY_HERE`.\n"
        "Password: `<your-password>`; token: `${GITHUB_TOKEN}`.\n",
        encoding="utf-8",
    )
    return root


def test_every_planted_secret_is_found_with_line_and_kind(document: tuple[str, list[Planted]]) -> None:
    text, planted = document
    findings = find_secrets("DEPLOY.md", text)
    spans = {(f.start, f.end): f for f in findings}
    for secret in planted:
        start = text.index(secret.value)
        finding = spans.get((start, start + len(secret.value)))
        assert finding is not None, f"{secret.kind} not found with its exact span"
        assert finding.kind == secret.kind
        assert finding.line == _line_of(text, secret.value)
        assert finding.path == "DEPLOY.md"


def test_placeholders_examples_and_digests_are_not_findings(document: tuple[str, list[Planted]]) -> None:
    text, planted = document
    findings = find_secrets("DEPLOY.md", text)
    # exactly the planted ones: every other candidate in the document is a look-alike
    assert len(findings) == len(planted)
    secret_lines = {_line_of(text, p.value) for p in planted}
    assert {f.line for f in findings} == secret_lines


def test_repository_scan(repo: Path) -> None:
    found = {
        path.relative_to(repo).as_posix(): find_secrets(
            path.relative_to(repo).as_posix(), path.read_text(encoding="utf-8")
        )
        for path in sorted(repo.rglob("*.md"))
    }
    assert found["docs/setup.md"] == ()
    kinds = sorted(f.kind for f in found["DEPLOY.md"])
    assert kinds == sorted([JWT, JWT, KEYWORD, AWS_KEY, URL_PASSWORD, URL_PASSWORD, PRIVATE_KEY])


def test_masked_output_never_shows_the_secret(document: tuple[str, list[Planted]]) -> None:
    text, _ = document
    for finding in find_secrets("DEPLOY.md", text):
        value = text[finding.start : finding.end]
        head, middle, tail = finding.masked.split("…")
        assert middle == f"({len(value)} chars)"
        assert len(head) <= 4 and len(tail) <= 2
        assert value.startswith(head) and value.endswith(tail)
        assert value not in finding.masked
        assert value not in repr(finding).replace(finding.masked, "")
        assert finding.fingerprint == fingerprint(finding.kind, value)
        assert len(finding.fingerprint) == 16 and finding.fingerprint not in value


def test_mask_reveals_little_of_short_values() -> None:
    assert mask("Ab3!x9") == "…(6 chars)…"
    assert mask("Tb7!!x42kQ") == "T…(10 chars)…"
    assert mask("Ab3!x9Zq7#Lm") == "Ab…(12 chars)…m"
    long_value = _random(40)
    assert mask(long_value) == f"{long_value[:4]}…(40 chars)…{long_value[-2:]}"


def test_redaction_removes_every_secret_and_nothing_else(document: tuple[str, list[Planted]]) -> None:
    text, planted = document
    findings = find_secrets("DEPLOY.md", text)
    redacted = redact(text, findings)
    expected = text
    for secret in planted:
        expected = expected.replace(secret.value, "[REDACTED]")
    assert redacted == expected
    for secret in planted:
        assert secret.value not in redacted
    # the multi-line key block is gone as a whole, markers included
    assert f"{BEGIN}RSA {PK}-----" not in redacted
    assert f"{END}RSA {PK}-----" not in redacted
    assert find_secrets("DEPLOY.md", redacted) == ()


def test_redact_with_custom_replacement_and_overlaps() -> None:
    text = "a SECRET1 b SECRET2 c"
    first = SecretFinding("x.md", 1, KEYWORD, "…", "0" * 16, 2, 9)
    overlapping = SecretFinding("x.md", 1, KEYWORD, "…", "1" * 16, 5, 19)
    assert redact(text, [first], replacement="█") == "a █ b SECRET2 c"
    assert redact(text, [overlapping, first], replacement="#") == "a # c"
    assert redact(text, []) == text


def test_crlf_documents_keep_their_line_endings(document: tuple[str, list[Planted]]) -> None:
    text, planted = document
    crlf = text.replace("\n", "\r\n")
    findings = find_secrets("DEPLOY.md", crlf)
    assert len(findings) == len(planted)
    redacted = redact(crlf, findings)
    assert redacted.count("\r\n") == crlf.count("\r\n") - sum(p.value.count("\n") for p in planted)
    lf_prints = {f.fingerprint for f in find_secrets("DEPLOY.md", text)}
    assert {f.fingerprint for f in findings} == lf_prints


def test_allow_by_fingerprint_and_by_path_line(document: tuple[str, list[Planted]]) -> None:
    text, _ = document
    findings = find_secrets("docs/DEPLOY.md", text)
    aws = next(f for f in findings if f.kind == AWS_KEY)
    key = next(f for f in findings if f.kind == PRIVATE_KEY)

    by_print = find_secrets("docs/DEPLOY.md", text, allow=[aws.fingerprint])
    assert aws not in by_print and len(by_print) == len(findings) - 1

    by_line = find_secrets("docs/DEPLOY.md", text, allow=[f"docs/DEPLOY.md:{aws.line}"])
    assert [f for f in findings if f.line != aws.line] == list(by_line)
    assert find_secrets("docs/DEPLOY.md", text, allow=[f"./docs/DEPLOY.md:{aws.line}"]) == by_line

    # a line inside a multi-line block names that block
    inner = key.line + 3
    assert key not in find_secrets("docs/DEPLOY.md", text, allow=[f"docs/DEPLOY.md:{inner}"])

    # entries for another file, another line, or the secret's text itself allow nothing
    secret_text = text[aws.start : aws.end]
    for entry in (f"other.md:{aws.line}", f"docs/DEPLOY.md:{aws.line + 1000}", secret_text, "junk"):
        assert find_secrets("docs/DEPLOY.md", text, allow=[entry]) == findings


def test_same_secret_twice_shares_a_fingerprint() -> None:
    token = make_jwt({"iss": "acme", "role": "anon"})
    text = f"first `{token}`\n\nagain: {token}\n"
    findings = find_secrets("a.md", text)
    assert [f.line for f in findings] == [1, 3]
    assert findings[0].fingerprint == findings[1].fingerprint
    assert find_secrets("a.md", text, allow=[findings[0].fingerprint]) == ()
    assert token not in redact(text, findings)


def test_fingerprint_depends_on_kind_and_value() -> None:
    assert fingerprint(KEYWORD, "abc") != fingerprint(JWT, "abc")
    assert fingerprint(KEYWORD, "abc") != fingerprint(KEYWORD, "abd")
    assert fingerprint(KEYWORD, "a\r\nb") == fingerprint(KEYWORD, "a\nb")


@pytest.mark.parametrize(
    "host",
    # re.IGNORECASE equates ſ with s and ı with i, and str.lower() does not: a prefilter that only
    # lower-cases would hide these lines from the plugins that ignore case.
    ["hooks.slack.com", "HOOKS.SLACK.COM", "hooks.\u017flack.com"],
)
def test_prefilter_reads_case_as_the_plugins_do(host: str) -> None:
    webhook = f"https://{host}/services/T{_random(10)}/B{_random(10)}/{_random(24)}"
    # The dotted capital I lower-cases to two characters: offsets after it must still be right.
    text = "\u0130" * 200 + "\nprose\n" + f"notify {webhook} when done\n" + "x" * 80 + "\n"
    found = scan_text("x.md", text)
    assert found == scan_text("x.md", text, prefilter=False)
    assert [f.kind for f in found] == ["Slack Token"]


def test_a_line_with_only_a_url_reaches_no_plugin() -> None:
    from consolidator.security.detectors import _candidate_lines, folded

    text = "see https://example.com/docs/page and http://localhost:8080/\n"
    assert _candidate_lines(text, folded(text)) == {}


def test_prefilter_loses_nothing(document: tuple[str, list[Planted]]) -> None:
    """The cheap line prefilter must not hide a line that a plugin would report."""
    text, _ = document
    extra = "\n".join(
        [
            "token = 'ghp_" + _random(36) + "'",
            "stripe: sk" + "_live_" + _random(24),
            "slack: xox" + "b-" + _random(11, string.digits) + "-" + _random(24).lower(),
            'aws_secret_access_key = "' + _random(40) + '"',
            'blob = "' + _random(48, ALNUM + "+/") + '"',
            'hex = "' + RNG.randbytes(16).hex() + '"',
            "Password: `" + _random(10) + "#1`",
        ]
    )
    combined = text + "\n" + extra + "\n"
    assert scan_text("x.md", combined, prefilter=True) == scan_text("x.md", combined, prefilter=False)
    kinds = {f.kind for f in scan_text("x.md", combined)}
    assert {"GitHub Token", "Stripe Access Key", "Slack Token", "High entropy string", KEYWORD} <= kinds


@pytest.mark.parametrize(
    "value",
    [
        "YOUR_API_KEY_HERE",
        "<your-token>",
        "xxxxx",
        "changeme",
        "${VAR}",
        "process.env.X",
        "****",
        "your-password",
        "sk-...",
        "eyJhbGc...paste-the-key-here",
        "AKIA" + "IOSFODNN7" + "EXAMPLE",
        "abcdef" + "123456",
    ],
)
def test_placeholder_values(value: str) -> None:
    assert is_placeholder(value)


def test_random_values_are_not_placeholders() -> None:
    for _ in range(200):
        assert not is_placeholder(_random(32))
    assert not is_placeholder("Tb7!!x42kQ")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_credential_names_the_keyword_plugin_does_not_know(newline: str) -> None:
    token = "sbp_" + _random(40).lower()
    role_key = _random(40)
    text = newline.join(
        [
            "```",
            f"SUPABASE_ACCESS_TOKEN={token}",
            f"  export SERVICE_ROLE_KEY='{role_key}'  # server only",
            "```",
            "",
        ]
    )
    findings = find_secrets("env.md", text)
    assert [(f.line, f.kind) for f in findings] == [(2, KEYWORD), (3, KEYWORD)]
    assert [text[f.start : f.end] for f in findings] == [token, role_key]


def test_random_tokens_are_not_placeholders() -> None:
    for n in range(200):
        token = make_jwt({"iss": "svc", "sub": _random(12), "n": n, "role": RNG.choice(["anon", "admin"])})
        assert not is_placeholder(token)
        assert not is_placeholder(make_aws_key())


def test_known_documentation_jwts_are_not_findings() -> None:
    demo = make_jwt({"iss": "supabase-" + "demo", "role": "anon", "exp": 1983812996})
    sample = make_jwt({"sub": "1234567890", "name": "John Doe", "iat": 1516239022})
    assert find_secrets("a.md", f"ANON = '{demo}'\nTOKEN = '{sample}'\n") == ()


def test_prose_and_code_around_keywords_are_not_findings() -> None:
    text = "\n".join(
        [
            "Password: asked for at every sign-in",
            "password: nextPassword,",
            "const secret = env.WIDGET_SIGNING_SECRET;",
            "apiKey: process.env.WEATHER_API_KEY,",
            "RELEASE_KEYSTORE_PATH=/path/to/upload.keystore",
            "ARCHIVE_KEY_BASE64=base64-of-random-bytes",
            '"signing_key": ' + '"hexEncodedKey"',
            "verifyKey: pair.verifyKey,",
            "UPDATE vault SET secret_key = make_key(16, 'hex'),",
            "MYSQL_PASSWORD: mysql",
        ]
    )
    assert find_secrets("notes.md", text) == ()


def test_private_key_without_end_marker_is_redacted_to_its_last_line() -> None:
    block = make_private_key_block("OPENSSH " + PK, lines=6)
    truncated = block.rsplit("\n", 1)[0]
    text = f"Key:\n\n{truncated}\n\nNext paragraph stays.\n"
    (finding,) = find_secrets("k.md", text)
    assert finding.kind == PRIVATE_KEY and finding.line == 3
    assert redact(text, [finding]) == "Key:\n\n[REDACTED]\n\nNext paragraph stays.\n"


def test_elided_private_key_in_docs_is_not_a_finding() -> None:
    body = base64.b64encode(RNG.randbytes(120)).decode()
    text = f"{BEGIN}{PK}-----\n{body[:64]}\n{body[64:]}\n...\n{END}{PK}-----\n"
    assert find_secrets("k.md", text) == ()
    assert len(find_secrets("k.md", text.replace("...\n", ""))) == 1


def test_private_key_in_json_string_is_one_finding() -> None:
    body = base64.b64encode(RNG.randbytes(300)).decode()
    begin, end = f"{BEGIN}{PK}-----", f"{END}{PK}-----"
    value = f"{begin}\\n{body[:64]}\\n{body[64:]}\\n{end}"
    text = f'{{"type": "service_account", "private_key": "{value}\\n"}}\n'
    (finding,) = find_secrets("sa.md", text)
    assert finding.kind == PRIVATE_KEY
    assert text[finding.start : finding.end] == value


@pytest.mark.parametrize(
    "template",
    [
        "postgresql://svc:{pw}@db:5432/x",
        "mysql://root:{pw}@127.0.0.1/app",
        "mongodb+srv://admin:{pw}@cluster0.example.net/db",
        "redis://:{pw}@cache:6379",
        "amqps://user:{pw}@mq.example.com/vhost",
    ],
)
def test_connection_string_passwords(template: str) -> None:
    password = _random(20)
    text = f"DATABASE_URL={template.format(pw=password)}\n"
    (finding,) = find_secrets("db.md", text)
    assert finding.kind == URL_PASSWORD
    assert text[finding.start : finding.end] == password


def test_authorization_headers() -> None:
    bearer = _random(40)
    basic = base64.b64encode(f"deploy:{_random(16)}".encode()).decode()
    lines = [
        f'curl -H "Authorization: Bearer {bearer}" https://api.example.com',
        f"Authorization: Basic {basic}",
        'curl -H "Authorization: Bearer $SERVICE_ROLE_KEY"',
        "Authorization: Bearer YOUR_ANON_KEY_GOES_HERE",
        "Authorization: Bearer ${data.authToken}",
        "Authorization: Basic " + base64.b64encode(b"user:your-password").decode(),
        "The bearer tokenization step is documented below.",
    ]
    text = "\n".join(lines) + "\n"
    findings = find_secrets("api.md", text)
    assert [(f.line, f.kind, text[f.start : f.end]) for f in findings] == [
        (1, AUTH_HEADER, bearer),
        (2, AUTH_HEADER, basic),
    ]


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_findings_are_redactable(corpus_clone: Path) -> None:
    """On a real repository: findings are masked, and a redacted document scans clean."""
    clone = corpus_clone
    documents = sorted(clone.rglob("*.md"))
    assert documents
    for path in documents:
        rel = path.relative_to(clone).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        findings = find_secrets(rel, text)
        for finding in findings:
            value = text[finding.start : finding.end]
            assert value not in finding.masked
            assert not is_placeholder(value) or finding.kind == PRIVATE_KEY
        if findings:
            assert find_secrets(rel, redact(text, findings)) == ()


def test_findings_are_in_text_order(document: tuple[str, list[Planted]]) -> None:
    text, _ = document
    starts = [f.start for f in find_secrets("DEPLOY.md", text)]
    assert starts == sorted(starts)
    assert all(re.fullmatch(r"[0-9a-f]{16}", f.fingerprint) for f in find_secrets("DEPLOY.md", text))


@pytest.mark.parametrize(
    "template",
    [
        "1. **CLOUDFLARE_API_TOKEN** = `{value}`",
        "- **Password**: `{value}`",
        "**Password:** {value}",
        "* `DEPLOY_TOKEN`: {value}",
    ],
)
def test_assignments_dressed_in_markdown_are_found(template: str) -> None:
    value = "Vk3" + "pQ8rZ2mWx7LbT4nHc9JdY6sFa1GeU5oKi0Rq"
    text = "# Setup\n\n" + template.format(value=value) + "\n"
    found = find_secrets("DEPLOY.md", text)
    assert [(f.line, text[f.start : f.end]) for f in found] == [(3, value)]


@pytest.mark.parametrize(
    "line",
    ["- **Status**: `COMPLETE`", "**Password:** see the team vault", "1. **API_TOKEN** = `<your token>`"],
)
def test_markdown_lines_that_are_not_secrets(line: str) -> None:
    assert find_secrets("DOC.md", f"# Doc\n\n{line}\n") == ()


# --- precision: what documentation is full of and is not a secret --------------------------
# Every value below is made up for this file.

NOT_SECRETS = [
    # header names, as keys or values
    "key: 'X-Frame-Options', value: 'DENY'",
    "{ key: 'X-Content-Type-Options', value: 'nosniff' }",
    "apiKey: 'X-Api-Key'",
    "- ✅ X-Frame-Options: DENY",
    # placeholders and example values
    'GATEWAY_API_KEYS="key_abc123,key_def456"',
    "WIDGET_TOKEN=tok_abc123def456",
    "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00/B00/yyy",
    "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "API_KEY=your-widget-api-key-here",
    "API_TOKEN=<paste the token here>",
    "SESSION_SECRET=changeme",
    "JWT_SECRET=xxx",
    "ADMIN_PASSWORD=changeme123",
    '"password": "StrongPass99!"',
    "password: 'MyPassword1!'",
    '"request_hash": "a1b2c3d4e5f6a7b8"',
    # URLs without credentials
    "- Secrets: https://github.com/acme/widgets/settings/secrets/actions",
    "DATABASE_URL=postgres://db.internal:5432/widgets",
    'signing_key: "https://keys.example.org/widgets/jwks.json"',
    # identifiers that are not secrets: API response ids, object ids, addresses, paths, names
    '  "id": "chatcmpl-9ZkQ3xYbW2mR7tPvL0aNcF4uE8sD",',
    '  "id": "msg_01XkQ3mWbR7tPvL0aNcF4uE8",',
    '    "lastId": "64b2f0c1e4a9d3b7c5a81f20"',
    "  transfer token 0x4a2Bf09dC3e71A58b6D90cE4F2a17b3C8d5E6f01",
    'cursor: "NDQ3NzEyOTAwMTIzNDU2Nzg5MA=="',
    'key="reports/quarterly_summary.v2.csv"',
    "sonar.projectKey=widget-service",
    'model_dir = "acme/Ollo3-Mini-7B-Chat-Q4",',
    # tables: a status column, a description column, a placeholder
    "| Gate check | PASS | `results/run-7/gate-report.json` |",
    "| `PASS` | `results/run-7/gate-report.json` |",
    "| `JWT_SECRET` | 32+ random characters | Signing secret |",
    "| compound_id | InChI Key | QWERTYUIOPASDF-ZXCVBNMLKJ-N |",
    "| `WIDGET_SECRET_KEY` | `wsk_test_...` | from the dashboard |",
    # flags in environment lines
    "NODE_OPTIONS=--max-old-space-size=4096",
    "SECRET_KEY=NODE_OPTIONS=--max-old-space-size=4096",
    "  NODE_OPTIONS: '--max-old-space-size=8192'",
]


@pytest.mark.parametrize("line", NOT_SECRETS)
def test_documentation_look_alikes_are_not_findings(line: str) -> None:
    text = f"# Notes\n\n```\n{line}\n```\n\n{line}\n"
    assert find_secrets("NOTES.md", text) == ()
    assert redact(text, find_secrets("NOTES.md", text)) == text


def _machine_key(n: int) -> str:
    # a key as generators make them: every character class, no words
    while True:
        value = _random(n)
        if re.search(r"[a-z].*[A-Z]|[A-Z].*[a-z]", value) and re.search(r"\d", value):
            return value


@pytest.mark.parametrize(
    "template",
    [
        "WIDGET_API_KEY={v}",
        'export DEPLOY_TOKEN="{v}"',
        "  signing_secret: '{v}'",
        "1. **BILLING_API_TOKEN** = `{v}`",
        'curl -H "Authorization: Bearer {v}" https://api.example.com',
        "| BILLING_API_TOKEN | `{v}` | set in CI |",
        "- API token: `{v}`",
    ],
)
def test_values_that_look_like_real_keys_are_findings(template: str) -> None:
    for _ in range(20):
        value = _machine_key(32)
        text = "# Setup\n\n" + template.format(v=value) + "\n"
        found = find_secrets("SETUP.md", text)
        assert [text[f.start : f.end] for f in found] == [value], template


@pytest.mark.parametrize("password", ["Tb7!!x42kQ", "Quill!Marsh-4417Reed", "harbour^Gate2031"])
def test_chosen_passwords_are_findings(password: str) -> None:
    text = f"# Build\n\n- **Password**: `{password}`\nkeystore_password = '{password}'\n"
    found = find_secrets("BUILD.md", text)
    assert [text[f.start : f.end] for f in found] == [password, password]


def test_look_alike_demo_issuer_is_a_finding() -> None:
    # only the documented issuer is an example; another vendor's "-demo" issuer is a real token
    token = make_jwt({"iss": "acme-" + "demo", "role": "anon", "exp": 2059000000})
    (finding,) = find_secrets("a.md", f"ANON = '{token}'\n")
    assert finding.kind == JWT


def test_redaction_keeps_names_headers_and_the_text_around() -> None:
    token = _machine_key(40)
    text = (
        "## Security checklist\n\n"
        "- ✅ X-Frame-Options: DENY\n"
        "- ✅ X-Content-Type-Options: nosniff\n\n"
        "```\n"
        f"WIDGET_API_KEY={token}  # rotate monthly\n"
        f'headers = {{"X-Api-Key": "{token}"}}\n'
        "```\n"
    )
    redacted = redact(text, find_secrets("CHECKLIST.md", text))
    assert redacted == text.replace(token, "[REDACTED]")
    assert "X-Frame-Options: DENY" in redacted and "WIDGET_API_KEY=[REDACTED]  # rotate monthly" in redacted


def _corpus_script() -> object:
    return load_tool("scripts", "secret_corpus")


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_precision_and_recall(tmp_path: Path) -> None:
    """File-level precision >= 0.9 and recall 1.0 on every shared corpus, against our labels."""
    script: Any = _corpus_script()
    if not script.SHARED.is_dir():
        pytest.skip(f"shared corpora not found at {script.SHARED} (../shared is absent)")
    labels = script.read_labels()
    for name in script.CORPORA:
        repo = script.corpus_repo(name, tmp_path / "no-ref", tmp_path)
        assert repo is not None, f"{name}: bundle missing"
        score = script.score(name, repo, labels)
        assert not score.unlabelled, f"{name}: findings without a verdict; label them (--unlabelled)"
        assert score.recall == 1.0, name
        assert score.precision >= 0.9, name


def test_labels_hold_fingerprints_and_verdicts_only() -> None:
    script: Any = _corpus_script()
    rows = script.read_labels()
    assert rows
    for row in rows.values():
        assert row.corpus in script.CORPORA
        assert re.fullmatch(r"[0-9a-f]{16}", row.file) and re.fullmatch(r"[0-9a-f]{16}", row.finding)
        assert row.verdict in ("real", "not") and re.fullmatch(r"[a-z-]+", row.why)
