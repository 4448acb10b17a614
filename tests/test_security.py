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
from consolidator.core.config import Config, SecretsConfig
from consolidator.core.errors import SiteError
from consolidator.decide.plan import plan_repository
from consolidator.decide.planfile import DEFAULT_PLAN, write_plan
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
