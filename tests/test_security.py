"""Secrets and hostile content through the whole pipeline: scan, plan, report, apply, site, check."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import apply_plan
from consolidator.cli import main
from consolidator.core import gitio
from consolidator.core.config import Config, SecretsConfig
from consolidator.core.errors import SiteError
from consolidator.decide.plan import plan_repository
from consolidator.decide.planfile import DEFAULT_PLAN, write_plan
from consolidator.guard.check import run_check
from consolidator.site.build import build_site, generate_site, load_applied_plan
from tests.conftest import RepoMaker


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# Built at run time so that no secret-looking string sits in the project's own files.
JWT = ".".join(
    [
        _b64({"alg": "HS256", "typ": "JWT"}),
        _b64({"iss": "supabase", "ref": "qzmvtbxkrwplhnsd", "role": "service_role", "iat": 1730000000}),
        "Xk3" + "9vQ2LmT8rZp0NwY5sHj7BcD1eFgU4iKaO6tRyV_2",
    ]
)
AWS = "AKIA" + "R7TQ2MZP4XKW9HNB"
KEY_BODY = "MIIEow" + "IBAAKCAQEAvX3k9Q2mZp7LwT4rN8sYj1BcD5eFgH0iKaO6tRyU2xWvPq3nLm8"
PRIVATE_KEY = f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n{KEY_BODY[::-1]}\n-----END RSA PRIVATE KEY-----"
DB_PASSWORD = "Tr0ub4dor" + "-harbour-77"
API_KEY = "hb_live_" + "9fK2mQ7xR4tZ8vN1pL6sW3yB"
SECRETS = {
    "JSON Web Token": JWT,
    "AWS Access Key": AWS,
    "Private Key": KEY_BODY,
    "Password in URL": DB_PASSWORD,
    "Secret keyword": API_KEY,
}

LEAKY_REPORT = f"""# Deployment Complete ✅

**Status:** COMPLETE
**Date:** 2025-03-02

## Summary

The production deploy finished. Output pasted for the record:

```
SUPABASE_SERVICE_ROLE_KEY={JWT}
AWS_ACCESS_KEY_ID={AWS}
DATABASE_URL=postgres://harbour:{DB_PASSWORD}@db.internal:5432/harbour
API_KEY={API_KEY}
```

{PRIVATE_KEY}

## Completed

- ✅ Database migrated
- ✅ Workers restarted
"""

SAFE_GUIDE = """# Configuration Guide

How to configure the service for a new environment.

## Settings

Set these variables before you start the server:

```
API_KEY=YOUR_API_KEY_HERE
DATABASE_URL=postgres://user:${DB_PASSWORD}@localhost/app
```

A lock-file excerpt, for reference:

```
"integrity": "sha512-Jr7Yd8bQ1sH2mQW9rXfN0pZt4vL6kC3eG5aT8uJ1oI7yR2wE4qS6dF9gH0jK3lZ5xV8cB1nM2==",
"resolved": "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
```
"""

HOSTILE = '<script>alert("pwned")</script>'


def _leaky_repo(make_repo: RepoMaker) -> Path:
    return make_repo(
        {
            "README.md": "# Harbour\n\nSee [the configuration guide](CONFIGURATION_GUIDE.md).\n",
            "DEPLOYMENT_COMPLETE.md": LEAKY_REPORT,
            "CONFIGURATION_GUIDE.md": SAFE_GUIDE,
        }
    )


def test_every_planted_secret_is_found_and_no_placeholder(make_repo: RepoMaker) -> None:
    inventory = scan_repo(_leaky_repo(make_repo))
    docs = inventory.by_path()
    kinds = {s.kind for s in docs["DEPLOYMENT_COMPLETE.md"].secrets}
    assert set(SECRETS) <= kinds
    assert docs["CONFIGURATION_GUIDE.md"].secrets == ()
    shown = json.dumps([s.__dict__ for d in inventory.documents for s in d.secrets])
    assert not any(value in shown for value in SECRETS.values())


def test_plan_marks_affected_documents_and_the_report_lists_them_first(
    make_repo: RepoMaker, tmp_path: Path
) -> None:
    root = _leaky_repo(make_repo)
    result = CliRunner().invoke(main, ["plan", str(root), "--report", str(tmp_path / "review.md")])
    assert result.exit_code == 0, result.output
    assert "WARNING: 1 document(s) hold credentials" in result.stdout
    plan_text = (root / DEFAULT_PLAN).read_text(encoding="utf-8")
    assert "documents_with_secrets: 1" in plan_text
    assert "WARNING: holds" in plan_text
    review = (tmp_path / "review.md").read_text(encoding="utf-8")
    assert review.index("hold credentials") < review.index("## Decisions")
    for text in (result.stdout, plan_text, review):
        assert not any(value in text for value in SECRETS.values())


def test_consolidated_site_publishes_no_secret_and_fails_without_redaction(
    make_repo: RepoMaker, tmp_path: Path
) -> None:
    root = _leaky_repo(make_repo)
    config = Config()
    write_plan(plan_repository(scan_repo(root), config), root / DEFAULT_PLAN)
    apply_plan(root)
    generate_site(root, config=config, plan=load_applied_plan(root))
    result = build_site(root, site_dir=tmp_path / "site")
    output = b"".join(p.read_bytes() for p in result.site_dir.rglob("*") if p.is_file())
    for kind, value in SECRETS.items():
        assert value.encode() not in output, kind
    assert b"[REDACTED]" in output
    # The Markdown itself is left alone: redaction happens at build time only.
    archived = next(root.rglob("DEPLOYMENT_COMPLETE.md"))
    assert JWT in archived.read_text(encoding="utf-8")

    (root / "consolidate.toml").write_text("[secrets]\nredact = false\n", encoding="utf-8")
    off = Config(secrets=SecretsConfig(redact=False))
    generate_site(root, config=off, plan=load_applied_plan(root))
    with pytest.raises(SiteError, match="secret"):
        build_site(root, site_dir=tmp_path / "site2")


def test_hostile_titles_are_escaped_in_every_output(make_repo: RepoMaker, tmp_path: Path) -> None:
    # Front matter titles reach every output as text (a heading's raw HTML is rendered, not kept).
    hostile_doc = (
        f"---\ntitle: '{HOSTILE} \x1b[31mred\x1b[0m \x1b]0;title\x07 [bold]x[/bold]'\n---\n"
        "# Migration\n\n**Status:** COMPLETE\n**Date:** 2025-01-05\n\n"
        "The migration was completed and verified.\n"
    )
    root = make_repo(
        {
            "README.md": "# Project\n\nStart [here](GUIDE.md).\n",
            "GUIDE.md": f"---\ntitle: 'Guide {HOSTILE}'\n---\n# Guide\n\nHow to run the project locally.\n",
            "MIGRATION_COMPLETE.md": hostile_doc,
        }
    )
    runner = CliRunner()
    outputs = []
    for args in (
        ["scan", str(root)],
        ["plan", str(root), "--report", str(tmp_path / "r.html")],
        ["check", str(root)],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1), result.output
        outputs.append(result.stdout + result.stderr)
    for text in outputs:
        assert "\x1b" not in text and "\x07" not in text
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html

    apply_plan(root)
    generate_site(root, config=Config(), plan=load_applied_plan(root))
    built = build_site(root, site_dir=tmp_path / "site")
    # Navigation, generated index pages and the report show the title as text. (A document's own
    # raw HTML is rendered as MkDocs renders it, so the documents' own pages are not checked.)
    pages = [built.site_dir / "index.html", built.site_dir / "guides" / "index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
    assert "Guide &lt;script&gt;alert" in pages[1].read_text(encoding="utf-8")


# --- check follows detect-secrets' baseline workflow -------------------------------------------

STATUS_REPORT = """# Release 4 Complete ✅

**Status:** COMPLETE
**Date:** 2025-06-30

## Summary

Release 4 is finished: every planned change was merged, reviewed and deployed to production.

## Completed

- ✅ Invoices exported as PDF
- ✅ Reminders sent by e-mail
"""


def _new_token() -> str:
    # made up at run time: every character class, no words, as key generators make them
    return "wgt_" + "".join(["Kq7", "Zt2", "mR9", "xLb", "4Wn", "Pc8", "Hv3", "sJd", "6Fy", "Ta1"])


def _baseline(root: Path) -> dict[str, object]:
    return json.loads((root / ".consolidate" / "baseline.json").read_text(encoding="utf-8"))


def _check(root: Path) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, ["check", str(root), "--no-cache"])
    return outcome.exit_code, outcome.output


def _consolidate(root: Path) -> None:
    runner = CliRunner()
    for args in (["plan", str(root)], ["apply", str(root), "--quiet"], ["site", str(root)]):
        outcome = runner.invoke(main, args)
        assert outcome.exit_code == 0, (args, outcome.output)


def test_baseline_records_each_secret_by_fingerprint_file_line_and_type(make_repo: RepoMaker) -> None:
    root = _leaky_repo(make_repo)
    code, output = _check(root)
    assert code == 1 and "DEPLOYMENT_COMPLETE.md" in output
    updated = CliRunner().invoke(main, ["check", str(root), "--update-baseline"])
    assert updated.exit_code == 0, updated.output
    text = (root / ".consolidate" / "baseline.json").read_text(encoding="utf-8")
    assert not any(value in text for value in SECRETS.values())
    results = _baseline(root)["results"]
    assert isinstance(results, dict) and list(results) == ["DEPLOYMENT_COMPLETE.md"]
    entries = results["DEPLOYMENT_COMPLETE.md"]
    assert {e["type"] for e in entries} >= set(SECRETS)
    for entry in entries:
        assert entry["filename"] == "DEPLOYMENT_COMPLETE.md"
        assert len(entry["hashed_secret"]) == 16 and entry["line_number"] > 0
    # known secrets are a count with a pointer to rotating them, not one line each
    code, output = _check(root)
    assert code == 0, output
    assert f"{len(entries)} known secret(s) in 1 document(s)" in output
    assert "Rotating a leaked secret" in output
    assert "[secret]" not in output


def test_a_reviewed_false_positive_stays_silent_across_rewrites(make_repo: RepoMaker) -> None:
    root = _leaky_repo(make_repo)
    CliRunner().invoke(main, ["check", str(root), "--update-baseline"])
    body = _baseline(root)
    results = body["results"]
    assert isinstance(results, dict)
    first = results["DEPLOYMENT_COMPLETE.md"][0]
    first["is_secret"] = False  # what `detect-secrets audit` writes after a person's review
    (root / ".consolidate" / "baseline.json").write_text(json.dumps(body), encoding="utf-8")
    result = run_check(root, Config(), use_cache=False)
    assert first["hashed_secret"] not in {f.key.rsplit(":", 1)[1] for f in result.findings}
    assert len(result.known_secrets) == len(results["DEPLOYMENT_COMPLETE.md"]) - 1
    # writing the baseline again keeps the verdict
    run_check(root, Config(), update_baseline=True, use_cache=False)
    again = _baseline(root)["results"]
    assert isinstance(again, dict)
    verdicts = {e["hashed_secret"]: e.get("is_secret") for e in again["DEPLOYMENT_COMPLETE.md"]}
    assert verdicts[first["hashed_secret"]] is False


def test_a_known_secret_stays_known_when_its_file_moves_or_is_copied(make_repo: RepoMaker) -> None:
    root = _leaky_repo(make_repo)
    run_check(root, Config(), update_baseline=True)
    gitio.run_git(root, "mv", "DEPLOYMENT_COMPLETE.md", "docs-old.md")
    (root / "archive").mkdir()
    (root / "archive" / "deploy-copy.md").write_text(LEAKY_REPORT, encoding="utf-8")
    result = run_check(root, Config(), use_cache=False)
    assert not [f for f in result.new if f.code == "secret"]
    assert {f.path for f in result.known_secrets} == {"docs-old.md", "archive/deploy-copy.md"}
    # a different secret is new, and check names its file
    (root / "archive" / "deploy-copy.md").write_text(
        LEAKY_REPORT + f"\nWIDGET_API_KEY={_new_token()}\n", encoding="utf-8"
    )
    code, output = _check(root)
    assert code == 1 and "archive/deploy-copy.md" in output and _new_token() not in output


def test_apply_records_the_secrets_so_the_consolidated_repo_passes_check(make_repo: RepoMaker) -> None:
    root = _leaky_repo(make_repo)
    _consolidate(root)
    results = _baseline(root)["results"]
    assert isinstance(results, dict)
    moved = next(path for path in results if path.endswith("DEPLOYMENT_COMPLETE.md"))
    assert (root / moved).is_file() and moved != "DEPLOYMENT_COMPLETE.md"
    code, output = _check(root)
    assert code == 0, output
    assert "known secret(s) in 1 document(s)" in output


@pytest.mark.parametrize("change", ["status report", "token"])
def test_consolidated_samples_pass_check_until_something_new_arrives(samples_repo: Path, change: str) -> None:
    _consolidate(samples_repo)
    code, output = _check(samples_repo)
    assert code == 0, output
    if change == "status report":
        (samples_repo / "RELEASE_4_COMPLETE.md").write_text(STATUS_REPORT, encoding="utf-8")
        named = "RELEASE_4_COMPLETE.md"
    else:
        guide = next(p for p in sorted((samples_repo / "docs").rglob("*.md")) if "archive" not in p.parts)
        guide.write_text(
            guide.read_text(encoding="utf-8") + f"\nWIDGET_API_KEY={_new_token()}\n", encoding="utf-8"
        )
        named = guide.relative_to(samples_repo).as_posix()
    code, output = _check(samples_repo)
    assert code == 1, output
    assert named in output
    assert _new_token() not in output


@pytest.mark.corpus
@pytest.mark.slow
def test_consolidated_corpus_passes_check_until_something_new_arrives(corpus_repo: Path) -> None:
    _consolidate(corpus_repo)
    result = run_check(corpus_repo, Config(), use_cache=False)
    assert not [f for f in result.new if f.code == "secret"]
    assert len({f.key for f in result.known_secrets}) >= 4
    # Right after plan, apply and site nothing is new: check passes.
    assert not result.new, [(f.code, f.path) for f in result.new]
    before: set[tuple[str, str | None]] = set()

    (corpus_repo / "RELEASE_4_COMPLETE.md").write_text(STATUS_REPORT, encoding="utf-8")
    guide = corpus_repo / "docs" / "security-notes.md"
    guide.write_text(f"# Security notes\n\nWIDGET_API_KEY={_new_token()}\n", encoding="utf-8")
    after = run_check(corpus_repo, Config(), use_cache=False)
    new = {(f.code, f.path) for f in after.new} - before
    assert ("root-file", "RELEASE_4_COMPLETE.md") in new
    assert ("secret", "docs/security-notes.md") in new


CHECKLIST = """# Security checklist

- ✅ X-Frame-Options: DENY
- ✅ X-Content-Type-Options: nosniff

```js
headers: [{ key: 'X-Frame-Options', value: 'DENY' }]
```

```
GATEWAY_API_KEYS="key_abc123,key_def456"
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00/B00/yyy
NODE_OPTIONS=--max-old-space-size=4096
```

Responses carry an id such as `"id": "chatcmpl-9ZkQ3xYbW2mR7tPvL0aNcF4uE8sD"`.
Add the token under https://github.com/acme/widgets/settings/secrets/actions.
"""


def test_site_redacts_only_secret_values_never_header_names_or_examples(
    make_repo: RepoMaker, tmp_path: Path
) -> None:
    token = _new_token()
    root = make_repo(
        {
            "README.md": "# Widgets\n\nSee the [checklist](docs/security/checklist.md).\n",
            "docs/security/checklist.md": CHECKLIST + f"\nWIDGET_API_KEY={token}  # rotate monthly\n",
        }
    )
    assert [s.line for s in scan_repo(root).by_path()["docs/security/checklist.md"].secrets] == [19]
    generate_site(root, config=Config(), plan=None)
    result = build_site(root, site_dir=tmp_path / "site")
    page = next(result.site_dir.rglob("checklist/index.html")).read_text(encoding="utf-8")
    assert token not in page
    assert page.count("[REDACTED]") == 1 and "WIDGET_API_KEY=[REDACTED]" in page
    for kept in (
        "X-Frame-Options: DENY",
        "X-Content-Type-Options: nosniff",
        "key_abc123,key_def456",
        "T00/B00/yyy",
        "--max-old-space-size=4096",
        "chatcmpl-9ZkQ3",
        "settings/secrets/actions",
    ):
        assert kept in page, kept
